/**
 * What the two Veeam credentials share: the server URL rules, the API version setting, TLS trust
 * (fields.ts), the OAuth2 token grants (login.ts), API version "Automatic" (automatic.ts,
 * versions.ts) and turning failures into messages an n8n user can act on (failures.ts). Nothing
 * there ever puts a password or token into a message.
 */
export * from './automatic';
export * from './failures';
export * from './fields';
export * from './login';
export * from './versions';
export * from './apiKey';
