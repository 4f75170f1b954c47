#!/usr/bin/env bash
# Gather ssj and every package it needs into one folder, to install on a machine with no
# network (a government intranet): copy the folder over, then run install.sh (Linux) or
# 安装.bat (Windows) in it. Those run `pip install --no-index --find-links wheels/`.
#
#   scripts/offline-bundle.sh OUT [--platform NAME] [--python X.Y] [--extras charts]
#
# --platform: this machine's by default; or win_amd64, manylinux_x86_64, manylinux_aarch64
#             (binary wheels only, fetched from the package index for that platform).
# --python:   the Python version of the target machine (default: the one running this).
# --extras:   optional parts to include, e.g. charts (the CJK font for PNG charts, 85 MB).
# Building the bundle needs the package index; installing from it needs nothing but Python.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
out=$1
shift
platform=""
windows_only=()
python_version=""
extras=""
while [ $# -gt 0 ]; do
    case "$1" in
        --platform) platform=$2; shift 2 ;;
        --python) python_version=$2; shift 2 ;;
        --extras) extras=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "未知的选项：$1" >&2; usage ;;
    esac
done
python_version=${python_version:-$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')}
tags=()
if [ -n "$platform" ]; then
    case "$platform" in
        # pip evaluates dependency markers for the machine it runs on, not the target: what
        # only Windows asks for (typer's colorama) is named here.
        win_amd64) tags=(win_amd64); windows_only=(colorama) ;;
        manylinux_x86_64|manylinux_aarch64)
            arch=${platform#manylinux_}
            tags=()
            for glibc in 2_17 2_24 2_27 2_28; do tags+=("manylinux_${glibc}_${arch}"); done
            tags+=("manylinux2014_${arch}")
            ;;
        *) echo "不认识的平台“$platform”；可选 win_amd64、manylinux_x86_64、manylinux_aarch64" >&2; exit 2 ;;
    esac
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
    echo "$out 已存在且不是空的；请给一个新的文件夹" >&2
    exit 2
fi
here_version=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if [ -z "$platform" ] && [ "$python_version" != "$here_version" ]; then
    echo "为 Python $python_version 打包时请用 --platform 写明平台（本机是 Python $here_version）" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
wheels="$out/wheels"
mkdir -p "$wheels"
# A bundle missing a package would fail only on the offline machine: on any error, none.
trap 'rm -rf "$out"; echo "打包失败（见上面的 pip 信息），没有留下 $out" >&2' ERR
requirement="shuangsuiji${extras:+[$extras]}"

# ssj's own wheel first (pure Python: one for every platform).
python3 -m pip wheel --quiet --no-deps --wheel-dir "$wheels" "$root"
ssj_wheel=$(ls "$wheels"/shuangsuiji-*.whl)
if [ -z "$platform" ]; then
    platform=$(python3 -c 'import sysconfig; print(sysconfig.get_platform())')
    python3 -m pip wheel --quiet --wheel-dir "$wheels" "${ssj_wheel}${extras:+[$extras]}"
else
    abi="cp${python_version/./}"
    args=(--only-binary=:all: --implementation cp --python-version "$python_version"
          --abi "$abi" --abi abi3 --abi none)
    for tag in "${tags[@]}"; do args+=(--platform "$tag"); done
    python3 -m pip download --quiet "${args[@]}" --dest "$wheels" \
        "${ssj_wheel}${extras:+[$extras]}" "${windows_only[@]}"
fi

cat > "$out/install.sh" <<'SH'
#!/bin/sh
# 离线安装 ssj（Linux）：sh install.sh [安装到的文件夹，默认本文件夹下的 ssj-venv]
# 只用本文件夹 wheels/ 里的安装包，不连接任何软件源。
set -e
here=$(cd "$(dirname "$0")" && pwd)
target=${1:-"$here/ssj-venv"}
want=$(cat "$here/python-version.txt")
python=""
for candidate in "python$want" python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$want" ]; then
        python=$candidate; break
    fi
done
if [ -z "$python" ]; then
    echo "需要 Python $want（这些安装包是为它准备的）；请先安装，或在有网络的电脑上用 --python 重新打包" >&2
    exit 2
fi
"$python" -m venv "$target"
# A pip.conf pointing at an unreachable index must not get in the way.
env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null \
    "$target/bin/python" -m pip install --no-index --find-links "$here/wheels" \
    "$(cat "$here/requirement.txt")"
"$target/bin/ssj" --version
echo "已安装。运行 $target/bin/ssj --help；或先 . $target/bin/activate"
SH
chmod +x "$out/install.sh"

# Windows: CRLF line endings, and UTF-8 for the Chinese messages (chcp 65001).
sed 's/$/\r/' > "$out/安装.bat" <<'BAT'
@echo off
chcp 65001 >nul
rem 离线安装 ssj（Windows）：双击运行，或 安装.bat [安装到的文件夹]
rem 只用本文件夹 wheels\ 里的安装包，不连接任何软件源。
setlocal
set "HERE=%~dp0"
set "TARGET=%~1"
if "%TARGET%"=="" set "TARGET=%HERE%ssj-venv"
set /p WANT=<"%HERE%python-version.txt"
set /p REQUIREMENT=<"%HERE%requirement.txt"
py -%WANT% -m venv "%TARGET%" 2>nul || python -m venv "%TARGET%" || goto :nopython
set "PIP_CONFIG_FILE=NUL"
set "PIP_FIND_LINKS="
"%TARGET%\Scripts\python" -m pip install --no-index --find-links "%HERE%wheels" "%REQUIREMENT%" || goto :failed
"%TARGET%\Scripts\ssj" --version
echo 已安装。运行 "%TARGET%\Scripts\ssj" --help
pause
exit /b 0
:nopython
echo 需要 Python %WANT%（这些安装包是为它准备的），请先安装。
pause
exit /b 2
:failed
echo 安装失败：这些安装包可能不是为这台电脑的 Python 版本准备的（需要 Python %WANT%）。
pause
exit /b 1
BAT

echo "$python_version" > "$out/python-version.txt"
echo "$requirement" > "$out/requirement.txt"
size=$(du -sh "$wheels" | cut -f1)
count=$(ls "$wheels" | wc -l)
cat > "$out/说明.txt" <<TXT
ssj 离线安装包：$(basename "$ssj_wheel")
平台 $platform，Python $python_version；$count 个安装包，共 $size。

把整个文件夹复制到没有网络的电脑上：
  Linux：  sh install.sh        （默认装到本文件夹下的 ssj-venv）
  Windows：双击 安装.bat
需要先装好 Python $python_version。安装只读取 wheels/ 里的文件，不连接任何软件源。
TXT
echo "已写出 $out：平台 $platform，Python $python_version，$count 个安装包，共 $size"
