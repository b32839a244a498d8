#!/usr/bin/env bash
# Installs what gpushare-bench needs to build and test on Debian 12 (bookworm). The CUDA
# toolkit (12.x or 13.x, with nvcc and cuBLAS) must already be installed: it does not come
# from Debian's main archive. Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ git pkg-config
  libcli11-dev nlohmann-json3-dev libfmt-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-jsonschema
  # A virtual environment for kubernetes-validate, which only PyPI has (see below).
  python3-venv
  procps
  # Headless Chromium renders the HTML of `gpushare-bench report` to a PNG in the tests.
  chromium fonts-dejavu-core
  # The real MPS control daemon: it starts, takes commands and quits without a GPU, so the
  # tests drive it instead of a fake. Debian ships it in the non-free component.
  nvidia-cuda-mps
  # The real NVML library: without a driver it loads and nvmlInit fails with "Driver Not
  # Loaded", the path the tests prove telemetry degrades on. Non-free; it depends on
  # glx-alternative-nvidia, which is in contrib.
  libnvidia-ml1
)

# A machine whose driver came from NVIDIA's installer already has NVML, and Debian's package
# would pull in nvidia-installer-cleanup, which removes such a driver: keep the driver's NVML.
if ! dpkg-query -W -f='${Status}' libnvidia-ml1 2>/dev/null | grep -q 'install ok installed' &&
   grep -q 'libnvidia-ml\.so\.1 ' < <(/sbin/ldconfig -p 2>/dev/null); then
  echo "setup: libnvidia-ml.so.1 is already installed (NVIDIA driver); not adding libnvidia-ml1" >&2
  packages=("${packages[@]/libnvidia-ml1/}")
fi

missing=()
for package in "${packages[@]}"; do
  [[ -n $package ]] || continue
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 2; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]'; }
  if [[ " ${missing[*]} " == *" nvidia-cuda-mps "* || " ${missing[*]} " == *" libnvidia-ml1 "* ]] &&
     { ! has_candidate nvidia-cuda-mps || ! has_candidate glx-alternative-nvidia; }; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    echo "setup: enabling Debian's contrib and non-free components for nvidia-cuda-mps and" \
         "libnvidia-ml1 ($codename)" >&2
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: contrib non-free\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$codename" | "${sudo[@]}" tee /etc/apt/sources.list.d/gpushare-non-free.sources >/dev/null
    "${sudo[@]}" apt-get update -qq
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# kubernetes-validate checks the manifests `gpushare-bench k8s` emits against the Kubernetes
# API schemas (ctest k8s.manifests_validate). Debian does not package it, so it goes into a
# virtual environment of Debian's python3, pinned so every machine validates alike.
kubernetes_validate_version=1.37.0
venv=${GPUSHARE_VENV:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.venv}
installed_version=$("$venv/bin/kubernetes-validate" --version 2>/dev/null || true)
if [[ $installed_version != "$kubernetes_validate_version" ]]; then
  echo "setup: installing kubernetes-validate $kubernetes_validate_version into $venv" >&2
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "kubernetes-validate==$kubernetes_validate_version"
fi

nvcc=${CUDACXX:-}
if [[ -z $nvcc ]]; then
  nvcc=$(command -v nvcc || true)
fi
if [[ -z $nvcc && -x /usr/local/cuda/bin/nvcc ]]; then
  nvcc=/usr/local/cuda/bin/nvcc
fi
if [[ -z $nvcc ]]; then
  echo "setup: the CUDA toolkit was not found (no nvcc on PATH or in /usr/local/cuda/bin):" \
       "install CUDA 12 or 13 from NVIDIA and run this again" >&2
  exit 2
fi
echo "setup: dependencies present; CUDA compiler: $nvcc" >&2
