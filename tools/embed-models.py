#!/usr/bin/env python3
"""Build step: find the installed botocore, read the named services' service-2.json(.gz),
strip documentation (about 55 % of the bytes; never needed at run time), and write
  <out>/<service>.json         minified models
  <out>/embedded_models.S      .incbin of each, so the binary carries them without a compile-heavy array
  <out>/embedded_models.cpp    the table api/model_registry.cpp reads.
The models are read at build time and never committed (they are AWS's, not ours)."""
import gzip, json, os, sys

def find_model(data_dir, service):
    svc_dir = os.path.join(data_dir, service)
    if not os.path.isdir(svc_dir):
        sys.exit(f"embed-models: botocore has no service '{service}' under {data_dir}")
    version = sorted(v for v in os.listdir(svc_dir) if os.path.isdir(os.path.join(svc_dir, v)))[-1]
    for name in ("service-2.json", "service-2.json.gz"):
        path = os.path.join(svc_dir, version, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as f:
                return json.load(f)
    sys.exit(f"embed-models: no service-2.json(.gz) for {service} {version}")

def strip_docs(node):
    if isinstance(node, dict):
        return {k: strip_docs(v) for k, v in node.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(node, list):
        return [strip_docs(v) for v in node]
    return node

def main():
    out_dir, services = sys.argv[1], sys.argv[2:]
    import botocore
    data_dir = os.path.join(os.path.dirname(botocore.__file__), "data")
    os.makedirs(out_dir, exist_ok=True)
    asm, rows = ['.section .rodata'], []
    for i, service in enumerate(services):
        model = strip_docs(find_model(data_dir, service))
        if model["metadata"].get("protocol") != "rest-json":
            sys.exit(f"embed-models: {service} speaks {model['metadata'].get('protocol')}; only rest-json is supported")
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
    cpp.append(f'const char* const kBotocoreVersion = "{botocore.__version__}";')
    cpp.append("const std::vector<EmbeddedModel>& embedded_models() {")
    cpp.append("  static const std::vector<EmbeddedModel> models = {")
    for i, service in rows:
        cpp.append(f'    {{"{service}", std::string_view(mediaemu_model_{i}_begin, '
                   f'static_cast<size_t>(mediaemu_model_{i}_end - mediaemu_model_{i}_begin))}},')
    cpp += ["  };", "  return models;", "}", "}  // namespace mediaemu::api"]
    write_if_changed(os.path.join(out_dir, "embedded_models.cpp"), "\n".join(cpp) + "\n")

def write_if_changed(path, text):
    if os.path.exists(path) and open(path, encoding="utf-8").read() == text:
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

if __name__ == "__main__":
    main()
