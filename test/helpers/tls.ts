import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8");

export interface TestCa {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
}

/** A throwaway certificate authority made with the openssl CLI. */
export function makeCa(dir: string, name = "ca"): TestCa {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=rosarchive test ${name}`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  return { dir, cert, key };
}

/** A server certificate for 127.0.0.1 signed by `ca`; returns the PEM paths and the SHA-256 fingerprint as Node prints it. */
export function issueCert(ca: TestCa, name: string): { cert: string; key: string; fingerprint256: string } {
  const dir = ca.dir;
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const cert = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${name}`], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext], dir);
  const fp = openssl(["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], dir);
  return { cert, key, fingerprint256: /=([0-9A-F:]+)/.exec(fp)![1]! };
}

/** The fingerprint of the certificate a TLS server presents, checked against `ca`. */
export function servedFingerprint(host: string, port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host, port, ca, servername: "localhost" }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on("error", reject);
  });
}
