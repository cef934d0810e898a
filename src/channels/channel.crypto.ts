import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Channel credentials at rest: AES-256-GCM with a random 96-bit nonce per write (NIST SP 800-38D
 * §8.2.2) and the channel id as associated data, so a ciphertext copied onto another channel row
 * fails to decrypt instead of lending its credentials to it.
 */
export function encryptSecrets(
  key: Buffer,
  channelId: string,
  secrets: Record<string, string>,
): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(channelId, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  return JSON.stringify({
    v: 1,
    alg: 'A256GCM',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  });
}

/** Throws when the key is wrong or the stored value was tampered with. */
export function decryptSecrets(
  key: Buffer,
  channelId: string,
  stored: string,
): Record<string, string> {
  const box = JSON.parse(stored) as { v: number; iv: string; tag: string; data: string };
  if (box.v !== 1) throw new Error(`unknown secrets format v${box.v}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
  decipher.setAAD(Buffer.from(channelId, 'utf8'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  const plain = Buffer.concat([
    decipher.update(Buffer.from(box.data, 'base64')),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(plain) as Record<string, string>;
}
