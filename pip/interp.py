# pipup interpreter inspection script.
#
# Run by pipup (pip/interp.go) as the body of a tiny bootstrap passed with -c,
# which has already removed the '' (cwd) entry from sys.path and checked that
# the interpreter is 3.6+. It prints one line: a sentinel followed by a JSON
# object describing the interpreter as pip would see it when run as
# `python -m pip`.
#
# Constraints: must run unchanged on CPython/PyPy 3.6 to 3.13+, so no f-strings
# with "=", no walrus, no dataclasses, no `from __future__ import annotations`,
# no third-party imports outside try/except. Keep this file pure ASCII.

import json
import os
import platform
import site
import struct
import sys
import sysconfig

SENTINEL = "@@PIPUP-" + "INTERP@@"  # split: see interpSentinel in interp.go


def _full_version(info):
    version = "{0}.{1}.{2}".format(info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def markers():
    # Same as packaging.markers.default_environment().
    impl = sys.implementation
    return {
        "implementation_name": impl.name,
        "implementation_version": _full_version(impl.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


# ---------------------------------------------------------------------------
# Fallback wheel tags.
#
# Used only when neither pip nor packaging is importable in the target. It
# reproduces pip's compatibility_tags.get_supported() with no arguments, which
# is packaging.tags (24.1, as vendored by pip 24.2) cpython_tags/generic_tags
# followed by compatible_tags, with one pip-specific difference: the
# "<interpreter>-none-any" tag uses the full interpreter name ("pp310"), where
# packaging.sys_tags() would use "pp3" for PyPy.
#
# Covered: CPython (debug "d", pymalloc "m" before 3.8, free-threaded "t" on
# 3.13+, abi3 down to cp32) and generic interpreters such as PyPy (ABI from
# EXT_SUFFIX); platforms for Linux (manylinux_X_Y from the glibc version in
# os.confstr, the legacy manylinux2014/2010/1 aliases at their positions,
# musllinux from the ELF interpreter's version banner, armv8l/i686 32-bit
# handling with the ELF header checks), macOS (mac_platforms) and everything
# else (sysconfig.get_platform()).
# Not covered: the optional `_manylinux` module overrides
# (manylinux_compatible etc.), the ctypes fallback for the glibc version and
# the SYSTEM_VERSION_COMPAT re-run for macOS 10.16.
# ---------------------------------------------------------------------------

_SHORT_NAMES = {
    "python": "py",
    "cpython": "cp",
    "pypy": "pp",
    "ironpython": "ip",
    "jython": "jy",
}
_IS_32BIT = struct.calcsize("P") == 4


def _nodot(version):
    return "".join(map(str, version))


def _norm(s):
    return s.replace(".", "_").replace("-", "_").replace(" ", "_")


def _interpreter_name():
    name = sys.implementation.name
    return _SHORT_NAMES.get(name) or name


def _interpreter_version():
    version = sysconfig.get_config_var("py_version_nodot")
    if version:
        return str(version)
    return _nodot(sys.version_info[:2])


def _cpython_abis(py_version):
    abis = []
    version = _nodot(py_version[:2])
    threading = debug = pymalloc = ""
    with_debug = sysconfig.get_config_var("Py_DEBUG")
    has_refcount = hasattr(sys, "gettotalrefcount")
    try:
        from importlib.machinery import EXTENSION_SUFFIXES
    except ImportError:
        EXTENSION_SUFFIXES = []
    has_ext = "_d.pyd" in EXTENSION_SUFFIXES
    if with_debug or (with_debug is None and (has_refcount or has_ext)):
        debug = "d"
    if py_version >= (3, 13) and sysconfig.get_config_var("Py_GIL_DISABLED"):
        threading = "t"
    if py_version < (3, 8):
        with_pymalloc = sysconfig.get_config_var("WITH_PYMALLOC")
        if with_pymalloc or with_pymalloc is None:
            pymalloc = "m"
    elif debug:
        abis.append("cp{0}{1}".format(version, threading))
    abis.insert(0, "cp{0}{1}{2}{3}".format(version, threading, debug, pymalloc))
    return abis


def _cpython_tags(platforms):
    py_version = tuple(sys.version_info[:2])
    interpreter = "cp" + _nodot(py_version)
    abis = _cpython_abis(py_version)
    tags = []
    for abi in abis:
        for plat in platforms:
            tags.append((interpreter, abi, plat))
    threaded = "t" in abis[0][len("cp") + len(_nodot(py_version)):]
    use_abi3 = py_version >= (3, 2) and not threaded
    if use_abi3:
        tags.extend((interpreter, "abi3", p) for p in platforms)
    tags.extend((interpreter, "none", p) for p in platforms)
    if use_abi3:
        for minor in range(py_version[1] - 1, 1, -1):
            older = "cp" + _nodot((py_version[0], minor))
            tags.extend((older, "abi3", p) for p in platforms)
    return tags


def _generic_abi():
    ext_suffix = sysconfig.get_config_var("EXT_SUFFIX")
    if not isinstance(ext_suffix, str) or not ext_suffix.startswith("."):
        raise SystemError("invalid sysconfig.get_config_var('EXT_SUFFIX')")
    parts = ext_suffix.split(".")
    if len(parts) < 3:
        return _cpython_abis(tuple(sys.version_info[:2]))
    soabi = parts[1]
    if soabi.startswith("cpython"):
        abi = "cp" + soabi.split("-")[1]
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    elif soabi:
        abi = soabi
    else:
        return []
    return [_norm(abi)]


def _generic_tags(interpreter, platforms):
    abis = _generic_abi()
    if "none" not in abis:
        abis.append("none")
    return [(interpreter, abi, p) for abi in abis for p in platforms]


def _py_interpreter_range(py_version):
    yield "py" + _nodot(py_version[:2])
    yield "py" + str(py_version[0])
    for minor in range(py_version[1] - 1, -1, -1):
        yield "py" + _nodot((py_version[0], minor))


def _compatible_tags(interpreter, platforms):
    py_version = tuple(sys.version_info[:2])
    tags = []
    for version in _py_interpreter_range(py_version):
        tags.extend((version, "none", p) for p in platforms)
    tags.append((interpreter, "none", "any"))
    for version in _py_interpreter_range(py_version):
        tags.append((version, "none", "any"))
    return tags


def _elf_header(path):
    """Return (class, data, machine, flags, interpreter) or None."""
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            capacity, encoding = ident[4], ident[5]
            fmts = {
                (1, 1): ("<HHIIIIIHHH", "<IIIIIIII", (0, 1, 4)),
                (1, 2): (">HHIIIIIHHH", ">IIIIIIII", (0, 1, 4)),
                (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
                (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
            }.get((capacity, encoding))
            if fmts is None:
                return None
            e_fmt, p_fmt, p_idx = fmts
            raw = f.read(struct.calcsize(e_fmt))
            if len(raw) != struct.calcsize(e_fmt):
                return None
            fields = struct.unpack(e_fmt, raw)
            machine, phoff, flags = fields[1], fields[4], fields[6]
            phentsize, phnum = fields[8], fields[9]
            interp = None
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                raw = f.read(struct.calcsize(p_fmt))
                if len(raw) != struct.calcsize(p_fmt):
                    continue
                data = struct.unpack(p_fmt, raw)
                if data[p_idx[0]] != 3:  # PT_INTERP
                    continue
                f.seek(data[p_idx[1]])
                interp = os.fsdecode(f.read(data[p_idx[2]])).strip("\0")
                break
            return capacity, encoding, machine, flags, interp
    except (OSError, ValueError, struct.error):
        return None


def _have_compatible_abi(archs):
    elf = _elf_header(sys.executable)
    if "armv7l" in archs:
        return (
            elf is not None
            and elf[0] == 1
            and elf[1] == 1
            and elf[2] == 40
            and elf[3] & 0xFF000000 == 0x05000000
            and elf[3] & 0x400 == 0x400
        )
    if "i686" in archs:
        return elf is not None and elf[0] == 1 and elf[1] == 1 and elf[2] == 3
    allowed = {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"}
    return any(arch in allowed for arch in archs)


def _glibc_version():
    try:
        version_string = os.confstr("CS_GNU_LIBC_VERSION")
        _, version = version_string.rsplit()
    except (AttributeError, OSError, ValueError):
        return (-1, -1)
    import re

    m = re.match(r"([0-9]+)\.([0-9]+)", version)
    if not m:
        return (-1, -1)
    return (int(m.group(1)), int(m.group(2)))


def _manylinux_tags(archs):
    if not _have_compatible_abi(archs):
        return []
    too_old = (2, 16)
    if set(archs) & {"x86_64", "i686"}:
        too_old = (2, 4)
    current = _glibc_version()
    max_list = [current]
    for major in range(current[0] - 1, 1, -1):
        max_list.append((major, 50))
    legacy = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
    tags = []
    for arch in archs:
        for glibc_max in max_list:
            min_minor = too_old[1] if glibc_max[0] == too_old[0] else -1
            for minor in range(glibc_max[1], min_minor, -1):
                version = (glibc_max[0], minor)
                if current < version:
                    continue
                tags.append("manylinux_{0}_{1}_{2}".format(version[0], version[1], arch))
                if version in legacy:
                    tags.append("{0}_{1}".format(legacy[version], arch))
    return tags


def _musl_version():
    elf = _elf_header(sys.executable)
    if elf is None or elf[4] is None or "musl" not in elf[4]:
        return None
    import re
    import subprocess

    try:
        proc = subprocess.Popen([elf[4]], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        _, err = proc.communicate()
    except OSError:
        return None
    lines = [n for n in (n.strip() for n in err.decode("utf-8", "replace").splitlines()) if n]
    if len(lines) < 2 or lines[0][:4] != "musl":
        return None
    m = re.match(r"Version (\d+)\.(\d+)", lines[1])
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def _linux_platforms():
    linux = _norm(sysconfig.get_platform())
    if not linux.startswith("linux_"):
        return [linux]
    if _IS_32BIT:
        if linux == "linux_x86_64":
            linux = "linux_i686"
        elif linux == "linux_aarch64":
            linux = "linux_armv8l"
    arch = linux.split("_", 1)[1]
    archs = {"armv8l": ["armv8l", "armv7l"]}.get(arch, [arch])
    plats = _manylinux_tags(archs)
    musl = _musl_version()
    if musl is not None:
        for a in archs:
            for minor in range(musl[1], -1, -1):
                plats.append("musllinux_{0}_{1}_{2}".format(musl[0], minor, a))
    plats.extend("linux_" + a for a in archs)
    return plats


def _mac_binary_formats(version, cpu_arch):
    formats = [cpu_arch]
    if cpu_arch == "x86_64":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat64", "fat32"])
    elif cpu_arch == "i386":
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat32", "fat"])
    elif cpu_arch == "ppc64":
        if version > (10, 5) or version < (10, 4):
            return []
        formats.append("fat64")
    elif cpu_arch == "ppc":
        if version > (10, 6):
            return []
        formats.extend(["fat32", "fat"])
    if cpu_arch in {"arm64", "x86_64"}:
        formats.append("universal2")
    if cpu_arch in {"x86_64", "i386", "ppc64", "ppc", "intel"}:
        formats.append("universal")
    return formats


def _mac_platforms():
    version_str, _, cpu_arch = platform.mac_ver()
    version = tuple(map(int, version_str.split(".")[:2]))
    arch = cpu_arch
    if _IS_32BIT:
        arch = "ppc" if cpu_arch.startswith("ppc") else "i386"
    plats = []
    fmt = "macosx_{0}_{1}_{2}"
    if (10, 0) <= version < (11, 0):
        for minor in range(version[1], -1, -1):
            for bf in _mac_binary_formats((10, minor), arch):
                plats.append(fmt.format(10, minor, bf))
    if version >= (11, 0):
        for major in range(version[0], 10, -1):
            for bf in _mac_binary_formats((major, 0), arch):
                plats.append(fmt.format(major, 0, bf))
        for minor in range(16, 3, -1):
            if arch == "x86_64":
                for bf in _mac_binary_formats((10, minor), arch):
                    plats.append(fmt.format(10, minor, bf))
            else:
                plats.append(fmt.format(10, minor, "universal2"))
    return plats


def _platform_tags():
    system = platform.system()
    if system == "Darwin":
        return _mac_platforms()
    if system == "Linux":
        return _linux_platforms()
    return [_norm(sysconfig.get_platform())]


def fallback_tags():
    platforms = _platform_tags()
    name = _interpreter_name()
    interpreter = name + _interpreter_version()
    if name == "cp":
        tags = _cpython_tags(platforms)
    else:
        tags = _generic_tags(interpreter, platforms)
    return tags + _compatible_tags(interpreter, platforms)


def supported_tags(want):
    """Return (tags, source): pip's own list when pip is importable."""
    if want in ("", "pip"):
        try:
            # Only this module: importing pip._internal as a whole costs far more.
            from pip._internal.utils.compatibility_tags import get_supported

            return [(t.interpreter, t.abi, t.platform) for t in get_supported()], "pip"
        except Exception:
            pass
        try:
            # pip < 20 (e.g. 18.1 bundled with Python 3.6).
            from pip._internal.pep425tags import get_supported as old_get_supported

            return [tuple(t) for t in old_get_supported()], "pip"
        except Exception:
            pass
    if want in ("", "packaging"):
        try:
            from packaging.tags import sys_tags

            return [(t.interpreter, t.abi, t.platform) for t in sys_tags()], "packaging"
        except Exception:
            pass
    return fallback_tags(), "fallback"


def pip_version():
    try:
        import pip

        return str(pip.__version__)
    except Exception:
        return ""


def externally_managed(in_venv):
    if in_venv:
        return "", ""
    try:
        marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    except Exception:
        return "", ""
    if not os.path.isfile(marker):
        return "", ""
    default = (
        "The Python environment under {0} is managed externally, and may not be\n"
        "manipulated by the user. Please use specific tooling from the distributor of\n"
        "the Python installation to interact with this environment instead.\n"
    ).format(sys.prefix)
    import configparser
    import locale

    keys = []
    try:
        locale.setlocale(locale.LC_ALL, "")
        lang = locale.getlocale(locale.LC_MESSAGES)[0]
    except Exception:
        lang = None
    if lang is not None:
        keys.append("Error-" + lang)
        for sep in ("-", "_"):
            before, found, _ = lang.partition(sep)
            if found:
                keys.append("Error-" + before)
    keys.append("Error")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(marker, encoding="utf-8")
        section = parser["externally-managed"]
        for key in keys:
            if key in section:
                return marker, section[key]
    except (KeyError, OSError, UnicodeDecodeError, configparser.Error):
        pass
    return marker, default


# ---------------------------------------------------------------------------
# Install scheme: where `python -m pip install` (no --user/--prefix/--home/
# --root) puts each part of a wheel, as pip's locations package computes it:
# sysconfig on 3.10+ (unless the distributor set sysconfig._PIP_USE_SYSCONFIG),
# distutils before. "headers" is the directory pip would join the
# distribution's name onto.
# ---------------------------------------------------------------------------

_HEADERS_NAME = "pipup-headers-placeholder"


def _pip_infer_prefix_scheme(in_venv):
    # pip's locations._sysconfig._infer_prefix().
    preferred = getattr(sysconfig, "get_preferred_scheme", None)
    if preferred is not None:
        return preferred("prefix")
    names = set(sysconfig.get_scheme_names())
    framework = bool(sysconfig.get_config_var("PYTHONFRAMEWORK"))
    if "osx_framework_library" in names and not in_venv and framework:
        return "osx_framework_library"
    for name in ("{0}_{1}".format(sys.implementation.name, os.name), sys.implementation.name,
                 "{0}_prefix".format(os.name), os.name):
        if name in names:
            return name
    return "posix_prefix"


def _sysconfig_scheme(in_venv):
    paths = sysconfig.get_paths(scheme=_pip_infer_prefix_scheme(in_venv))
    include = paths["include"]
    if in_venv:
        include = os.path.join(sys.prefix, "include", "site", "python{0}.{1}".format(*sys.version_info[:2]))
    return {
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "scripts": paths["scripts"],
        "data": paths["data"],
        "headers": include,
    }


def _distutils_scheme(in_venv):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from distutils.dist import Distribution

        d = Distribution({"name": _HEADERS_NAME})
        try:
            d.parse_config_files()
        except UnicodeDecodeError:
            pass
        i = d.get_command_obj("install", create=True)
        i.finalize_options()
    scheme = {}
    for key in ("purelib", "platlib", "scripts", "data", "headers"):
        scheme[key] = getattr(i, "install_" + key)
    if "install_lib" in d.get_option_dict("install"):
        scheme["purelib"] = scheme["platlib"] = i.install_lib
    if in_venv:
        scheme["headers"] = os.path.join(i.prefix, "include", "site", "python{0}.{1}".format(*sys.version_info[:2]))
    elif os.path.basename(scheme["headers"]) == _HEADERS_NAME:
        scheme["headers"] = os.path.dirname(scheme["headers"])
    return scheme


def install_scheme(in_venv):
    """Return (scheme dict, source) or ({}, error text)."""
    use_sysconfig = bool(getattr(sysconfig, "_PIP_USE_SYSCONFIG", sys.version_info >= (3, 10)))
    try:
        if use_sysconfig:
            return _sysconfig_scheme(in_venv), "sysconfig"
        return _distutils_scheme(in_venv), "distutils"
    except Exception as e:  # a broken distutils must not stop listing
        return {}, "error: {0}".format(e)


def main():
    want = os.environ.get("PIPUP_TAGS_SOURCE", "")
    base_prefix = getattr(sys, "real_prefix", None) or getattr(sys, "base_prefix", sys.prefix)
    in_venv = sys.prefix != base_prefix
    try:
        site_packages = list(site.getsitepackages())
    except Exception:
        site_packages = []
    try:
        user_site = site.getusersitepackages()
    except Exception:
        user_site = getattr(site, "USER_SITE", None) or ""
    tags, source = supported_tags(want)
    marker, marker_error = externally_managed(in_venv)
    # Only a run that may install asks for the scheme ("scheme" after -c):
    # before 3.10 it imports distutils, tens of ms that pipup list need not
    # wait for. Without it, scheme_source is "" (not computed).
    scheme, scheme_source = {}, ""
    if "scheme" in sys.argv[1:]:
        scheme, scheme_source = install_scheme(in_venv)
    info = {
        "executable": sys.executable,
        "version": platform.python_version(),
        "version_info": list(sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "prefix": sys.prefix,
        "base_prefix": base_prefix,
        "in_venv": in_venv,
        "sys_path": list(sys.path),
        "site_packages": site_packages,
        "user_site": user_site or "",
        "user_site_enabled": bool(getattr(site, "ENABLE_USER_SITE", False)),
        "markers": markers(),
        "tags": [list(t) for t in tags],
        "tags_source": source,
        "pip_version": pip_version(),
        "externally_managed": marker,
        "externally_managed_error": marker_error,
        "scheme": scheme,
        "scheme_source": scheme_source,
        "cache_tag": getattr(sys.implementation, "cache_tag", None) or "",
    }
    sys.stdout.write("\n" + SENTINEL + json.dumps(info) + "\n")
    sys.stdout.flush()


if __name__ == "__pipup__":  # as run by interp.go; tests import the functions
    main()
