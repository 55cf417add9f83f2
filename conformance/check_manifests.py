"""Validates Kubernetes manifests for the conformance suite (tests/conformance.rs).

Usage: python check_manifests.py NODE_DIR SCRIPT_DIR FILE...   (multi-document YAML files)
Prints one JSON object: {"documents": N, "sealed_secrets": N, "kinds": {kind: N},
"problems": ["file#doc kind/name: message", ...]}.

- Built-in kinds: kubernetes-validate's strict JSON schemas for Kubernetes 1.31, run with
  jsonschema so that every error is listed (unknown fields, wrong types, missing fields).
- SealedSecret, Application, AppProject, IngressRoute, Middleware, Certificate,
  ClusterIssuer: the @kubernetes-models schemas plus an unknown-field check
  (crd_check.mjs).
- HelmChartConfig (K3s, no published model): its shape; `valuesContent` must be a
  string holding a YAML mapping.
- Any other kind is a problem: nothing validated it.
"""
import json
import os
import re
import subprocess
import sys

import yaml

K8S_VERSION = "1.31"

CRDS = {
    ("bitnami.com/v1alpha1", "SealedSecret"),
    ("argoproj.io/v1alpha1", "Application"),
    ("argoproj.io/v1alpha1", "AppProject"),
    ("traefik.io/v1alpha1", "IngressRoute"),
    ("traefik.io/v1alpha1", "Middleware"),
    ("cert-manager.io/v1", "Certificate"),
    ("cert-manager.io/v1", "ClusterIssuer"),
}


def helm_chart_config(doc):
    """Problems of a K3s HelmChartConfig (helm.cattle.io/v1)."""
    out = []
    meta = doc.get("metadata") or {}
    for k in sorted(set(doc) - {"apiVersion", "kind", "metadata", "spec"}):
        out.append("unknown top-level field %s" % k)
    for k in sorted(set(meta) - {"name", "namespace", "labels", "annotations"}):
        out.append("unexpected metadata field %s" % k)
    if not meta.get("name") or not meta.get("namespace"):
        out.append("metadata.name and metadata.namespace are required")
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return out + ["spec is not a mapping"]
    for k in sorted(set(spec) - {"valuesContent", "valuesSecrets", "failurePolicy"}):
        out.append("unknown spec field %s" % k)
    vc = spec.get("valuesContent")
    if not isinstance(vc, str):
        out.append("spec.valuesContent is not a string")
    else:
        try:
            values = yaml.safe_load(vc)
        except yaml.YAMLError as e:
            return out + ["spec.valuesContent is not YAML: %s" % " ".join(str(e).split())]
        if not isinstance(values, dict):
            out.append("spec.valuesContent does not hold a mapping")
    return out


class K8s:
    def __init__(self):
        import kubernetes_validate.utils as kvu

        self.kvu = kvu
        want = tuple(int(x) for x in K8S_VERSION.split("."))
        cands = [v for v in kvu.all_versions()
                 if tuple(int(x) for x in kvu.major_minor(v).split(".")) <= want]
        self.version = cands[-1]
        if kvu.major_minor(self.version) != K8S_VERSION:
            raise SystemExit("kubernetes-validate has no %s schemas" % K8S_VERSION)
        self.dir = "kubernetes-json-schema/v%s-local-strict" % self.version
        self.cache = {}
        self.defs = None

    def validator(self, api_version, kind):
        key = (api_version, kind)
        if key not in self.cache:
            import jsonschema
            from referencing import Registry, Resource

            av = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            try:
                schema = self.kvu.schema_contents("%s/%s-%s.json" % (self.dir, kind.lower(), av), self.version)
            except FileNotFoundError:
                self.cache[key] = None
                return None
            if self.defs is None:
                self.defs = Resource.from_contents(
                    self.kvu.schema_contents("%s/_definitions.json" % self.dir, self.version))
            registry = Resource.from_contents(schema) @ (self.defs @ Registry())
            self.cache[key] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        return self.cache[key]


def main():
    node_dir, script_dir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    k8s = K8s()
    problems, crds, documents, kinds = [], [], 0, {}
    for f in files:
        with open(f, encoding="utf-8") as fh:
            try:
                docs = list(yaml.safe_load_all(fh))
            except yaml.YAMLError as e:
                problems.append("%s: YAML error: %s" % (f, " ".join(str(e).split())))
                continue
        for no, doc in enumerate(docs, 1):
            if doc is None:
                continue
            documents += 1
            kind, av = doc.get("kind"), doc.get("apiVersion")
            name = (doc.get("metadata") or {}).get("name")
            where = "%s#%d %s/%s" % (os.path.basename(f), no, kind, name)
            kinds[kind] = kinds.get(kind, 0) + 1
            if (av, kind) in CRDS:
                crds.append({"id": where, "doc": doc})
                continue
            if (av, kind) == ("helm.cattle.io/v1", "HelmChartConfig"):
                problems.extend("%s: %s" % (where, m) for m in helm_chart_config(doc))
                continue
            v = k8s.validator(av, kind)
            if v is None:
                problems.append("%s: no validator for %s %s" % (where, av, kind))
                continue
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                path = "." + ".".join(str(p) for p in e.absolute_path)
                problems.append("%s: %s: %s" % (where, path, e.message[:300]))
    if crds:
        p = subprocess.run(["node", os.path.join(script_dir, "crd_check.mjs"), node_dir],
                           input=json.dumps(crds), capture_output=True, text=True)
        if p.returncode != 0:
            problems.append("crd_check.mjs failed: %s" % p.stderr[:500])
        else:
            for r in json.loads(p.stdout):
                problems.extend("%s: %s" % (r["id"], m) for m in r["errors"])
    print(json.dumps({"documents": documents, "sealed_secrets": kinds.get("SealedSecret", 0),
                      "kinds": kinds, "problems": problems}))


if __name__ == "__main__":
    main()
