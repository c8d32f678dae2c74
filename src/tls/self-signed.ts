import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

export interface CertificatePair {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * Makes a self-signed certificate and key for the demo and tests with the local `openssl`
 * (no network). Node's crypto can make keys but not X.509 certificates, so openssl is required;
 * the error says how to provide a pair instead.
 */
export function makeSelfSignedPair(dir: string, commonName = "sluice.local"): CertificatePair {
  mkdirSync(dir, { recursive: true });
  const certPath = join(dir, "sluice-cert.pem");
  const keyPath = join(dir, "sluice-key.pem");
  if (existsSync(certPath) && existsSync(keyPath)) return { certPath, keyPath };
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        "825",
        "-subj",
        `/CN=${commonName}`,
        "-addext",
        `subjectAltName=DNS:${commonName},DNS:localhost,IP:127.0.0.1`,
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } catch (e) {
    throw new Error(
      `cannot create a self-signed certificate with openssl (${(e as Error).message}); install openssl or set tls.certPath/keyPath to an existing pair`,
    );
  }
  return { certPath, keyPath };
}
