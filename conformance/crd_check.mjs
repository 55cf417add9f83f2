// Validates SealedSecret documents with @kubernetes-models/sealed-secrets (for
// tests/conformance.rs, through check_manifests.py).
//
// Usage: node sealedsecret_check.mjs NODE_DIR < [{"id": ..., "doc": {...}}, ...]
// Output: [{"id": ..., "errors": ["..."]}, ...]
//
// The model's validate() checks types and required fields but accepts unknown fields
// (its schema has no additionalProperties: false). So the validator runs a second time
// on a Proxy of the document that records every key it looks up: a key it never looked
// at, in an object where it looked up others, is not in the schema. Objects whose keys
// were never looked up are free-form maps (encryptedData, labels) and are skipped.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const nodeDir = process.argv[2];
const modelFile = path.join(nodeDir, "node_modules/@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret.js");
const { SealedSecret } = await import(pathToFileURL(modelFile).href);

function track(value, at, seen) {
  if (value === null || typeof value !== "object") return value;
  const rec = { obj: value, at, touched: new Set(), listed: false };
  seen.push(rec);
  const kids = new Map();
  return new Proxy(value, {
    get(target, key, recv) {
      if (typeof key === "string") rec.touched.add(key);
      const v = Reflect.get(target, key, recv);
      if (typeof key !== "string" || v === null || typeof v !== "object") return v;
      if (!Object.prototype.hasOwnProperty.call(target, key)) return v;
      if (!kids.has(key)) kids.set(key, track(v, Array.isArray(target) ? `${at}[${key}]` : `${at}.${key}`, seen));
      return kids.get(key);
    },
    has(target, key) {
      if (typeof key === "string") rec.touched.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      rec.listed = true;
      return Reflect.ownKeys(target);
    },
  });
}

function check(doc) {
  const errors = [];
  try {
    new SealedSecret(doc).validate();
  } catch (e) {
    if (Array.isArray(e.errors) && e.errors.length) {
      for (const x of e.errors) errors.push(`${x.instancePath || "."} ${x.message}`);
    } else {
      errors.push(String(e.message || e));
    }
  }
  const seen = [];
  try {
    SealedSecret.prototype.validate.call(track(doc, "", seen));
  } catch {
    // reported above
  }
  for (const r of seen) {
    if (Array.isArray(r.obj) || r.listed || r.touched.size === 0) continue;
    for (const k of Object.keys(r.obj)) {
      if (!r.touched.has(k)) errors.push(`${r.at}.${k}: unknown field (not in the SealedSecret schema)`);
    }
  }
  return errors;
}

const items = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(items.map((it) => ({ id: it.id, errors: check(it.doc) }))));
