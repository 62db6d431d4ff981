"""Builds a one-layer OCI image layout from files on this machine, for scripts/images.

    python3 scripts/oci_image.py OUT_DIR TAG SPEC.json

SPEC: {"base": "rootfs.tar" (optional: a root file system whose entries come first),
       "files": [[path_in_image, source_path_or_null, mode, symlink_target_or_null], ...],
       "config": {"Entrypoint": [...], "Cmd": [...], "Env": [...], "WorkingDir": "...",
                  "ExposedPorts": {"80/tcp": {}}, "User": "..."}}
A null source with no symlink target makes a directory; a file entry replaces the base's
entry of the same path. The layer is reproducible: the files are owned by root with mtime
0, the base's entries keep theirs, so the same inputs give the same digests.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def relative(path):
    """A tar entry's path without a leading `./` or `/`."""
    while path.startswith("./") or path.startswith("/"):
        path = path[2:] if path.startswith("./") else path[1:]
    return os.path.normpath(path) if path else "."


def copy_base(base, tar, replaced):
    """The base's entries but those `files` replace; device nodes are left to the runtime."""
    with tarfile.open(base) as source:
        for member in source:
            name = relative(member.name)
            if name == "." or name in replaced or member.ischr() or member.isblk() or member.isfifo():
                continue
            member.name = name
            if member.islnk():
                member.linkname = relative(member.linkname)
            tar.addfile(member, source.extractfile(member) if member.isfile() else None)


def layer(files, base=None):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if base:
            copy_base(base, tar, {relative(f[0]) for f in files})
        for path, source, mode, target in sorted(files, key=lambda f: f[0]):
            info = tarfile.TarInfo(relative(path))
            info.mtime = 0
            info.uid = info.gid = 0
            info.mode = mode
            if target is not None:
                info.type = tarfile.SYMTYPE
                info.linkname = target
                tar.addfile(info)
            elif source is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                with open(source, "rb") as handle:
                    data = handle.read()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    uncompressed = raw.getvalue()
    compressed = gzip.compress(uncompressed, mtime=0)
    return compressed, "sha256:" + hashlib.sha256(uncompressed).hexdigest()


def blob(out, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as handle:
        handle.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def main():
    out, tag, spec_path = sys.argv[1:4]
    with open(spec_path) as handle:
        spec = json.load(handle)
    compressed, diff_id = layer(spec["files"], spec.get("base"))
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": spec["config"],
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "scripts/images"}],
    }
    layer_descriptor = dict(blob(out, compressed), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
    config_descriptor = dict(blob(out, json.dumps(config, sort_keys=True).encode()),
                             mediaType="application/vnd.oci.image.config.v1+json")
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": config_descriptor, "layers": [layer_descriptor]}
    manifest_descriptor = dict(blob(out, json.dumps(manifest, sort_keys=True).encode()),
                               mediaType="application/vnd.oci.image.manifest.v1+json",
                               annotations={"org.opencontainers.image.ref.name": tag})
    with open(os.path.join(out, "oci-layout"), "w") as handle:
        json.dump({"imageLayoutVersion": "1.0.0"}, handle)
    with open(os.path.join(out, "index.json"), "w") as handle:
        json.dump({"schemaVersion": 2, "manifests": [manifest_descriptor]}, handle)
    print(manifest_descriptor["digest"])


if __name__ == "__main__":
    main()
