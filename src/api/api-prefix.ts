/** Every route but GET /health is under it (set by ApiModule's configureHttp). */
export const API_PREFIX = 'api/v1';
