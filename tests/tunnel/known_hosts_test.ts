import assert from "assert";
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import { fingerprint, KnownHosts } from "../../src/tunnel/known_hosts.ts";

// Two Ed25519 public keys and the fingerprints `ssh-keygen -l -E sha256` prints for them.
const KEY_A = "AAAAC3NzaC1lZDI1NTE5AAAAIEV2TYiId/HiuOEHOXKuRn5Nc/qql2d2mk3oWm4wXThS";
const FINGERPRINT_A = "SHA256:zJteI1uZCNINZZ5VVzJqNQE02gFE168IuTJ7LvRu09c";
const KEY_B = "AAAAC3NzaC1lZDI1NTE5AAAAILbaBs+YF8M1r+oxwPeyus+MmEjFroMn1VyDt839p56X";
const FINGERPRINT_B = "SHA256:0ugK5EvkQku2Mzvoc3TPPqASZUBoiGSX6gyLoZUnugQ";

const blob = (base64: string) => new Uint8Array(Buffer.from(base64, "base64"));

Deno.test("fingerprint() is the SHA256 fingerprint ssh-keygen shows", () => {
  assert.equal(fingerprint(blob(KEY_A)), FINGERPRINT_A);
  assert.equal(fingerprint(blob(KEY_B)), FINGERPRINT_B);
});

Deno.test("KnownHosts accepts the listed key, calls another one changed and an unlisted host unknown", () => {
  const known = KnownHosts.parse(`# bastions\n[bastion.example]:2222 ssh-ed25519 ${KEY_A} ops\n`);
  assert.deepEqual(known.verdict("bastion.example", 2222, blob(KEY_A)), { accepted: true });
  assert.deepEqual(known.verdict("BASTION.example", 2222, blob(KEY_A)), { accepted: true });
  assert.deepEqual(known.verdict("bastion.example", 2222, blob(KEY_B)), {
    accepted: false,
    why: "changed",
  });
  // The port is part of the name: the same host on port 22 is another entry.
  assert.deepEqual(known.verdict("bastion.example", 22, blob(KEY_A)), {
    accepted: false,
    why: "unknown",
  });
  assert.deepEqual(known.verdict("other.example", 2222, blob(KEY_A)), {
    accepted: false,
    why: "unknown",
  });
});

Deno.test("KnownHosts names port 22 hosts bare, and matches lists, wildcards and negations", () => {
  const known = KnownHosts.parse(
    [
      `bastion.example,10.0.0.5 ssh-ed25519 ${KEY_A}`,
      `!evil.corp.example,*.corp.example ssh-ed25519 ${KEY_B}`,
      `jump?.example ssh-ed25519 ${KEY_B}`,
    ].join("\n"),
  );
  assert.deepEqual(known.verdict("10.0.0.5", 22, blob(KEY_A)), { accepted: true });
  assert.deepEqual(known.verdict("db.corp.example", 22, blob(KEY_B)), { accepted: true });
  assert.equal(known.verdict("evil.corp.example", 22, blob(KEY_B)).accepted, false);
  assert.deepEqual(known.verdict("jump1.example", 22, blob(KEY_B)), { accepted: true });
  assert.equal(known.verdict("jump12.example", 22, blob(KEY_B)).accepted, false);
  // A dot in a wildcard pattern is a dot, not any character.
  assert.equal(known.verdict("db.corpXexample", 22, blob(KEY_B)).accepted, false);
});

Deno.test("KnownHosts matches hashed names (HashKnownHosts yes)", () => {
  const salt = Buffer.from("0123456789abcdefghij");
  const hash = createHmac("sha1", salt).update("[bastion.example]:2222").digest("base64");
  const known = KnownHosts.parse(`|1|${salt.toString("base64")}|${hash} ssh-ed25519 ${KEY_A}\n`);
  assert.deepEqual(known.verdict("bastion.example", 2222, blob(KEY_A)), { accepted: true });
  assert.equal(known.verdict("bastion.example", 22, blob(KEY_A)).accepted, false);
});

Deno.test("KnownHosts refuses a @revoked key and skips @cert-authority and malformed lines", () => {
  const known = KnownHosts.parse(
    [
      `@revoked bastion.example ssh-ed25519 ${KEY_B}`,
      `@cert-authority *.example ssh-ed25519 ${KEY_A}`,
      `bastion.example ssh-ed25519 not*base64`,
      `bastion.example ssh-ed25519`,
      `bastion.example ssh-ed25519 ${KEY_A}`,
    ].join("\n"),
  );
  assert.deepEqual(known.verdict("bastion.example", 22, blob(KEY_B)), {
    accepted: false,
    why: "revoked",
  });
  assert.deepEqual(known.verdict("bastion.example", 22, blob(KEY_A)), { accepted: true });
  // The certificate authority line does not make its key a host key.
  assert.equal(known.verdict("other.example", 22, blob(KEY_A)).accepted, false);
});

Deno.test("KnownHosts.keyTypes() lists the key types known for a host, not revoked ones", () => {
  const known = KnownHosts.parse(
    [
      `bastion.example ssh-rsa ${KEY_A}`,
      `bastion.example ssh-ed25519 ${KEY_A}`,
      `@revoked bastion.example ecdsa-sha2-nistp256 ${KEY_B}`,
      `other.example ssh-ed25519 ${KEY_B}`,
    ].join("\n"),
  );
  assert.deepEqual(known.keyTypes("bastion.example", 22), ["ssh-rsa", "ssh-ed25519"]);
  assert.deepEqual(known.keyTypes("nowhere.example", 22), []);
});
