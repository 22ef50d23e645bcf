// electron-builder afterPack hook: flip Electron's fuses on the packed binary, so that a shipped
// app cannot be turned into a plain Node runtime or have code injected through the environment.
// CLEARANCE_E2E_BUILD=1 keeps the inspector fuse on, which Playwright's _electron.launch needs.
const path = require('node:path');

exports.default = async function afterPack(context) {
  const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
  const name = context.packager.appInfo.productFilename;
  const executable = {
    darwin: path.join(context.appOutDir, `${name}.app`),
    win32: path.join(context.appOutDir, `${name}.exe`),
    linux: path.join(context.appOutDir, context.packager.executableName ?? name),
  }[context.electronPlatformName];
  const keepInspector = process.env.CLEARANCE_E2E_BUILD === '1';
  await flipFuses(executable, {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: keepInspector,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  });
};
