import { createHmac, timingSafeEqual } from "node:crypto";

/** The fields a job's MAC covers: who it is for and when the core issued it. */
export interface JobIdentity {
  readonly job: string;
  readonly tenant: string;
  readonly device: string;
  readonly site: string;
  readonly trigger: string;
  readonly issued_at: number;
}

/**
 * HMAC-SHA256 (hex) of a job's identity under the core's job key
 * (`state_dir/remote-job.key`, never sent anywhere). A snapshot must echo a
 * job identity with its MAC: a collector can only answer jobs it was given,
 * and the check needs no record of sent jobs, so it holds across restarts.
 */
export function jobMac(key: Uint8Array, j: JobIdentity): string {
  return createHmac("sha256", key).update(JSON.stringify(["rosarchive-job-1", j.job, j.tenant, j.device, j.site, j.trigger, j.issued_at])).digest("hex");
}

export function verifyJobMac(key: Uint8Array, j: JobIdentity, mac: string): boolean {
  const want = Buffer.from(jobMac(key, j), "hex");
  const got = Buffer.from(mac, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}
