// aws-ses-v2-local ships types for its CommonJS entry; this states the default export as ESM sees it.
declare module 'aws-ses-v2-local' {
  import type { Server } from 'node:http';
  const start: (config?: { host?: string; port?: number }) => Promise<Server>;
  export default start;
}
