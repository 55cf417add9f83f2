// Validates custom resources with the published @kubernetes-models packages (for
// tests/conformance.rs, through check_manifests.py): SealedSecret, Argo CD Application
// and AppProject, Traefik IngressRoute and Middleware, cert-manager Certificate and
// ClusterIssuer.
//
// Usage: node crd_check.mjs NODE_DIR < [{"id": ..., "doc": {...}}, ...]
// Output: [{"id": ..., "errors": ["..."]}, ...]
//
// A model's validate() checks types and required fields but accepts unknown fields
// (its schema has no additionalProperties: false). So the validator runs a second time
// on a Proxy of the document that records every key it looks up: a key it never looked
// at, in an object where it looked up others, is not in the schema. Objects whose keys
// were never looked up are free-form maps (encryptedData, labels) and are skipped.

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";

const nodeDir = process.argv[2];
// apiVersion kind -> model file under node_modules/@kubernetes-models.
const MODELS = {
  "bitnami.com/v1alpha1 SealedSecret": "sealed-secrets/bitnami.com/v1alpha1/SealedSecret.js",
  "argoproj.io/v1alpha1 Application": "argo-cd/argoproj.io/v1alpha1/Application.js",
  "argoproj.io/v1alpha1 AppProject": "argo-cd/argoproj.io/v1alpha1/AppProject.js",
  "traefik.io/v1alpha1 IngressRoute": "traefik/traefik.io/v1alpha1/IngressRoute.js",
  "traefik.io/v1alpha1 Middleware": "traefik/traefik.io/v1alpha1/Middleware.js",
  "cert-manager.io/v1 Certificate": "cert-manager/cert-manager.io/v1/Certificate.js",
  "cert-manager.io/v1 ClusterIssuer": "cert-manager/cert-manager.io/v1/ClusterIssuer.js",
};
const loaded = new Map();
async function model(doc) {
  const key = `${doc.apiVersion} ${doc.kind}`;
  const file = MODELS[key];
  if (!file) return null;
  if (!loaded.has(key)) {
    const mod = await import(pathToFileURL(path.join(nodeDir, "node_modules/@kubernetes-models", file)).href);
    loaded.set(key, mod[doc.kind]);
  }
  return loaded.get(key);
}

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

function check(Model, doc) {
  const errors = [];
  try {
    new Model(doc).validate();
  } catch (e) {
    if (Array.isArray(e.errors) && e.errors.length) {
      for (const x of e.errors) errors.push(`${x.instancePath || "."} ${x.message}`);
    } else {
      errors.push(String(e.message || e));
    }
  }
  const seen = [];
  try {
    Model.prototype.validate.call(track(doc, "", seen));
  } catch {
    // reported above
  }
  for (const r of seen) {
    if (Array.isArray(r.obj) || r.listed || r.touched.size === 0) continue;
    for (const k of Object.keys(r.obj)) {
      if (!r.touched.has(k)) errors.push(`${r.at}.${k}: unknown field (not in the ${doc.kind} schema)`);
    }
  }
  return errors;
}

const items = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const it of items) {
  const Model = await model(it.doc);
  out.push({ id: it.id, errors: Model ? check(Model, it.doc) : [`no model for ${it.doc.apiVersion} ${it.doc.kind}`] });
}
process.stdout.write(JSON.stringify(out));
