#!/usr/bin/env python3
"""Build step: find the newest botocore models on this machine, read the named services'
service-2.json(.gz), strip documentation (about 55 % of the bytes; never needed at run time), and
write
  <out>/<service>.json         minified models
  <out>/embedded_models.S      .incbin of each, so the binary carries them without a compile-heavy array
  <out>/embedded_models.cpp    the table api/model_registry.cpp reads.
The models are read at build time and never committed (they are AWS's, not ours).

Where models come from (every one found is listed; the newest is used):
  - botocore importable by this Python (pip, pyenv, a virtualenv), and any other pyenv/pip/user
    site-packages botocore;
  - Debian's python3-botocore (/usr/lib/python3/dist-packages/botocore);
  - the models inside an AWS CLI v2: Debian's awscli package or AWS's own installer
    (awscli/botocore/data, a fork of botocore whose version, "2.0.0devN", says nothing about
    its age).
"Newest" is the source whose models of the wanted services have the most operations (AWS adds
operations and practically never removes one), then a real botocore over an AWS CLI's fork, then
the higher version. MEDIAEMU_BOTOCORE_DATA=<dir>
(a botocore "data" folder) forces one source, e.g. to test a build against an older model.
`embed-models.py --list` prints every source found and exits 1 when there is none.
tools/install-deps installs python3-botocore when no source exists at all."""
import glob, gzip, json, os, re, sys

def read_version(init_py):
    try:
        with open(init_py, encoding="utf-8") as f:
            m = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", f.read(), re.M)
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"

def candidate_dirs():
    """(description, data dir, version) for every botocore model folder on this machine."""
    found, seen = [], set()

    def add(package_dir, awscli_dir=None):
        data = os.path.realpath(os.path.join(package_dir, "data"))
        if data in seen or not os.path.isdir(data):
            return
        seen.add(data)
        version = read_version(os.path.join(package_dir, "__init__.py"))
        if awscli_dir:
            cli = read_version(os.path.join(awscli_dir, "__init__.py"))
            found.append((f"AWS CLI {cli} models (its botocore {version}) in {data}", data, version))
        else:
            found.append((f"botocore {version} in {data}", data, version))

    try:
        import botocore
        add(os.path.dirname(botocore.__file__))
    except ImportError:
        pass
    site_globs = [os.path.join(p, "botocore") for p in sys.path if p] + [
        "/usr/lib/python3/dist-packages/botocore",
        "/usr/lib/python3*/site-packages/botocore",
        "/usr/local/lib/python3*/*-packages/botocore",
        os.path.expanduser("~/.local/lib/python3*/site-packages/botocore"),
        os.path.expanduser("~/.pyenv/versions/*/lib/python3*/site-packages/botocore"),
    ]
    for pattern in site_globs:
        for d in sorted(glob.glob(pattern)):
            add(d)
    cli_globs = [
        "/usr/lib/python3/dist-packages/awscli",
        "/usr/local/aws-cli/v2/current/dist/awscli",
        os.path.expanduser("~/.local/aws-cli/v2/current/dist/awscli"),
    ]
    for pattern in cli_globs:
        for d in sorted(glob.glob(pattern)):
            add(os.path.join(d, "botocore"), awscli_dir=d)
    return found

def model_path(data_dir, service):
    svc_dir = os.path.join(data_dir, service)
    if not os.path.isdir(svc_dir):
        return None
    versions = sorted(v for v in os.listdir(svc_dir) if os.path.isdir(os.path.join(svc_dir, v)))
    for version in reversed(versions):
        for name in ("service-2.json", "service-2.json.gz"):
            path = os.path.join(svc_dir, version, name)
            if os.path.exists(path):
                return path
    return None

def load_model(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)

def version_key(version):
    return [int(n) for n in re.findall(r"\d+", version)]

def choose(services):
    forced = os.environ.get("MEDIAEMU_BOTOCORE_DATA")
    if forced:
        package = os.path.dirname(os.path.realpath(forced))
        version = read_version(os.path.join(package, "__init__.py"))
        return f"botocore {version} in {forced} (MEDIAEMU_BOTOCORE_DATA)", forced, version
    candidates = candidate_dirs()
    if not candidates:
        sys.exit("embed-models: no botocore models on this machine: run tools/install-deps "
                 "(it installs Debian's python3-botocore), or pip install botocore")
    ranked = []
    for description, data, version in candidates:
        paths = [model_path(data, s) for s in services]
        complete = all(paths)
        operations = sum(len(load_model(p).get("operations", {})) for p in paths if p)
        # On a tie a real botocore beats an AWS CLI's fork, whose "2.0.0devN" does not compare.
        is_botocore = not description.startswith("AWS CLI")
        ranked.append(((complete, operations, is_botocore, version_key(version)), description, data, operations, version))
    ranked.sort(key=lambda r: r[0], reverse=True)
    for key, description, _, operations, _ in ranked:
        note = f"{operations} operations" + ("" if key[0] else ", lacks a wanted service")
        print(f"embed-models: found {description}: {note}", file=sys.stderr)
    best = ranked[0]
    if not best[0][0]:
        missing = [s for s in services if not model_path(best[2], s)]
        sys.exit(f"embed-models: no model source has every wanted service; the best lacks {missing}")
    return best[1], best[2], best[4]

def service_protocols(data_dir):
    """(signing name, first protocol) of every service in data_dir, for errors in the protocol of
    services mediaemu does not emulate; the first service of a shared signing name wins."""
    found = {}
    for service in sorted(os.listdir(data_dir)):
        path = model_path(data_dir, service)
        if not path:
            continue
        meta = load_model(path).get("metadata", {})
        signing_name = meta.get("signingName") or meta.get("endpointPrefix")
        protocol = (meta.get("protocols") or [meta.get("protocol")])[0]
        if signing_name and protocol and signing_name not in found:
            found[signing_name] = protocol
    return sorted(found.items())

def strip_docs(node):
    if isinstance(node, dict):
        return {k: strip_docs(v) for k, v in node.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(node, list):
        return [strip_docs(v) for v in node]
    return node

def main():
    if sys.argv[1:] == ["--list"]:  # tools/install-deps: is there any model source at all?
        candidates = candidate_dirs()
        for description, _, _ in candidates:
            print(description)
        sys.exit(0 if candidates else 1)
    out_dir, services = sys.argv[1], sys.argv[2:]
    source, data_dir, version = choose(services)
    print(f"embed-models: using {source}", file=sys.stderr)
    os.makedirs(out_dir, exist_ok=True)
    asm, rows = ['.section .rodata'], []
    for i, service in enumerate(services):
        path = model_path(data_dir, service)
        if not path:
            sys.exit(f"embed-models: {source} has no service '{service}'")
        model = strip_docs(load_model(path))
        spoken = {"rest-json", "json", "query", "rest-xml", "smithy-rpc-v2-cbor"}
        protocols = model["metadata"].get("protocols") or [model["metadata"].get("protocol")]
        if not set(protocols) <= spoken:
            sys.exit(f"embed-models: {service} speaks {protocols}; mediaemu speaks {sorted(spoken)}")
        path = os.path.join(out_dir, f"{service}.json")
        text = json.dumps(model, separators=(",", ":"), sort_keys=True)
        if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        asm += [f".global mediaemu_model_{i}_begin", f"mediaemu_model_{i}_begin:", f'.incbin "{path}"',
                f".global mediaemu_model_{i}_end", f"mediaemu_model_{i}_end:", ".byte 0"]
        rows.append((i, service))
    asm.append('.section .note.GNU-stack,"",@progbits')
    write_if_changed(os.path.join(out_dir, "embedded_models.S"), "\n".join(asm) + "\n")
    cpp = ['#include "api/model_registry.hpp"', "extern \"C\" {"]
    for i, _ in rows:
        cpp.append(f"extern const char mediaemu_model_{i}_begin[]; extern const char mediaemu_model_{i}_end[];")
    cpp.append("}")
    cpp.append("namespace mediaemu::api {")
    cpp.append(f"const char* const kModelSource = {json.dumps(source)};")
    cpp.append(f"const char* const kModelVersion = {json.dumps(version)};")
    cpp.append("const std::vector<EmbeddedModel>& embedded_models() {")
    cpp.append("  static const std::vector<EmbeddedModel> models = {")
    for i, service in rows:
        cpp.append(f'    {{"{service}", std::string_view(mediaemu_model_{i}_begin, '
                   f'static_cast<size_t>(mediaemu_model_{i}_end - mediaemu_model_{i}_begin))}},')
    cpp += ["  };", "  return models;", "}"]
    cpp.append("const std::vector<ServiceProtocol>& known_service_protocols() {")
    cpp.append("  static const std::vector<ServiceProtocol> known = {")
    for signing_name, protocol in service_protocols(data_dir):
        cpp.append(f'    {{"{signing_name}", "{protocol}"}},')
    cpp += ["  };", "  return known;", "}", "}  // namespace mediaemu::api"]
    write_if_changed(os.path.join(out_dir, "embedded_models.cpp"), "\n".join(cpp) + "\n")

def write_if_changed(path, text):
    if os.path.exists(path) and open(path, encoding="utf-8").read() == text:
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

if __name__ == "__main__":
    main()
