/** The cdpd version; the build injects package.json's. Client and daemon must match. */
declare const __CDPD_VERSION__: string | undefined;

/** This build's version string. */
export const VERSION: string = typeof __CDPD_VERSION__ === 'string' ? __CDPD_VERSION__ : '0.0.0-dev';
