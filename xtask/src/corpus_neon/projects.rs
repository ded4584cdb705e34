//! The corpus's members: where each library comes from (pinned by version
//! and SHA-256), what is removed first, how its files compile, and its own
//! build and tests where it has them.

use super::{own, KernelCheck, Project};
use crate::corpus_syntax::{Compiler, Member};

pub(crate) const PROJECTS: &[Project] = &[
    Project {
        member: Member {
            name: "blake3",
            url: "https://static.crates.io/crates/blake3/blake3-1.8.2.crate",
            sha256: "3888aaa89e4b2a40fca9848e400f6a658a5a3978de7be858e209cafa8be9a4a0",
            root: "blake3-1.8.2",
            dirs: &["c"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "c",
        remove: &[
            "blake3_neon.c",
            "*.S",
            "*.asm",
            "blake3_tbb.cpp",
            "example_tbb.c",
            "cmake/",
            "dependencies/",
            "CMakeLists.txt",
            "CMakePresets.json",
        ],
        compile: &["."],
        flags: &["-I."],
        x86_flags: &[
            ("sse2", "-msse2"),
            ("sse41", "-msse4.1"),
            ("avx2", "-mavx2"),
            ("avx512", "-mavx512f -mavx512vl"),
        ],
        residue: "the dispatcher (blake3_dispatch.c) picks kernels by cpuid under IS_X86; aarch64 needs its own path",
        kernels: Some(KernelCheck {
            driver: include_str!("blake3_kernels.c"),
            sources: &["blake3_portable.c", "blake3_sse2.c", "blake3_sse41.c", "blake3_avx2.c"],
            flags: &["-I.", "-DBLAKE3_NO_AVX512"],
        }),
        own: Some(own::OwnTests {
            spec: include_str!("blake3.molt.toml"),
            deps: &[own::Dep {
                member: Member {
                    name: "blake3-py",
                    url: "https://files.pythonhosted.org/packages/75/aa/abcd75e9600987a0bc6cfe9b6b2ff3f0e2cb08c170addc6e76035b5c4cb3/blake3-1.0.8.tar.gz",
                    sha256: "513cc7f0f5a7c035812604c2c852a0c1468311345573de647e310aca4ab165ba",
                    root: "blake3-1.0.8",
                    dirs: &[],
                    cpp_headers: false,
                    compiler: Compiler::None,
                },
                from: "tests",
                to: ".molt-tests/py",
            }],
        }),
    },
    Project {
        member: Member {
            name: "libwebp",
            url: "https://static.crates.io/crates/libwebp-sys/libwebp-sys-0.9.6.crate",
            sha256: "54cd30df7c7165ce74a456e4ca9732c603e8dc5e60784558c1c6dc047f876733",
            root: "libwebp-sys-0.9.6",
            dirs: &["vendor/src"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "vendor",
        remove: &["src/dsp/*_neon.c", "src/dsp/neon.h", "src/dsp/*_mips*.c", "src/dsp/*_msa.c", "src/dsp/msa_macro.h"],
        compile: &["src/dsp"],
        flags: &["-I."],
        x86_flags: &[("sse2", "-msse2"), ("sse41", "-msse4.1")],
        residue: "the kernels are chosen by VP8GetCPUInfo (cpuid) and WEBP_USE_SSE2/WEBP_USE_NEON from cpu.h",
        kernels: None,
        own: None,
    },
    Project {
        member: Member {
            name: "libdeflate",
            url: "https://static.crates.io/crates/libdeflate-sys/libdeflate-sys-1.23.1.crate",
            sha256: "38b72ad3fbf5ac78f2df7b36075e48adf2459b57c150b9e63937d0204d0f9cd7",
            root: "libdeflate-sys-1.23.1",
            dirs: &["libdeflate/lib"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "libdeflate",
        // lib/arm stays: libdeflate includes it by architecture, so a user
        // without it would have to edit those includes first.
        remove: &["scripts/"],
        compile: &["lib"],
        flags: &["-I."],
        x86_flags: &[],
        residue: "lib/x86 is compiled only on x86 (lib/adler32.c and crc32.c include it by architecture, and \
                  lib/x86/cpu_features.c chooses by cpuid); upstream's lib/arm stays, so its aarch64 figures count \
                  upstream's NEON, and the ported templates are checked on their own (libdeflate_kernels.c)",
        kernels: Some(KernelCheck { driver: include_str!("libdeflate_kernels.c"), sources: &[], flags: &["-Ilib", "-I."] }),
        own: Some(own::OwnTests {
            spec: include_str!("libdeflate.molt.toml"),
            deps: &[own::Dep { member: LIBZ, from: "src/zlib", to: ".molt-deps/zlib" }],
        }),
    },
    Project {
        member: Member {
            name: "zstd",
            url: "https://static.crates.io/crates/zstd-sys/zstd-sys-2.1.3+zstd.1.5.7.crate",
            sha256: "f729a06d0257428fd9d997ac8db7e1407bd0262ab016b085b36bc52957c0052d",
            root: "zstd-sys-2.1.3+zstd.1.5.7",
            dirs: &["zstd/lib"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: "zstd/lib",
        remove: &["decompress/huf_decompress_amd64.S"],
        compile: &["common", "compress", "decompress"],
        flags: &["-I.", "-Icommon", "-DZSTD_DISABLE_ASM"],
        x86_flags: &[],
        residue: "zstd keeps its NEON paths inline (ZSTD_ARCH_ARM_NEON), so there is nothing upstream to remove",
        kernels: None,
        own: None,
    },
    Project {
        member: Member {
            name: "hnswlib",
            // C++ and CMake; Debian's source pool holds the release tarball
            // (0.8.0, from upstream's tag) with its CMakeLists.txt and C++ tests.
            url: "http://deb.debian.org/debian/pool/main/h/hnswlib/hnswlib_0.8.0.orig.tar.gz",
            sha256: "cf61d7dd8dc9bfba7f4abe0ed26698e90ac9f49a0badb2e1b0f3ba89b72cf3bb",
            root: "hnswlib-0.8.0",
            dirs: &[],
            cpp_headers: true,
            compiler: Compiler::None,
        },
        dir: ".",
        // No NEON upstream; the Python bindings and CI files are not part of the C++ build.
        remove: &["python_bindings/", ".github/"],
        compile: &["tests/cpp"],
        flags: &["-I."],
        // Upstream's CMake builds with -march=native; these make every kernel set compile on x86.
        x86_flags: &[("", "-mavx -mavx512f")],
        residue: "hnswalg.h's _mm_prefetch hints (in HierarchicalNSW's methods): the rewrite is C++, but molt-syntax's \
                  gate reads a .h file as C and refuses it; hnswlib.h's cpuid() and xgetbv() (for AVXCapable, \
                  AVX512Capable) need x86 feature detection answered on aarch64. Build files change last, so the \
                  CMakeLists.txt rewrite (-march=native for x86 only) waits behind these and the aarch64 build still \
                  sees -march=native. The SIMD kernels compile only under USE_SSE/USE_AVX (hnswlib.h: __SSE__ or \
                  _M_AMD64); the AVX-512 kernels are kept x86-only",
        kernels: None,
        own: Some(own::OwnTests { spec: include_str!("hnswlib.molt.toml"), deps: &[] }),
    },
];

/// zlib's sources (from libz-sys), which libdeflate's tests compare against.
const LIBZ: Member = Member {
    name: "zlib",
    url: "https://static.crates.io/crates/libz-sys/libz-sys-1.1.20.crate",
    sha256: "d2d16453e800a8cf6dd2fc3eb4bc99b786a9b90c663b8559a5b1a041bf89e472",
    root: "libz-sys-1.1.20",
    dirs: &[],
    cpp_headers: false,
    compiler: Compiler::None,
};
