/**
 * Base64url without padding (RFC 4648 §5), for tokens.
 *
 * @module
 */

/**
 * Encodes bytes as base64url, without `=` padding.
 *
 * @param bytes the bytes
 * @returns e.g. `3q2-7w`
 */
export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
