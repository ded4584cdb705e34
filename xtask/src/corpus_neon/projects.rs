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
        remove: &[
            "src/dsp/*_neon.c",
            "src/dsp/neon.h",
            "sharpyuv/sharpyuv_neon.c",
            "src/dsp/*_mips*.c",
            "src/dsp/*_msa.c",
            "src/dsp/msa_macro.h",
        ],
        compile: &["src/dsp"],
        flags: &["-I."],
        x86_flags: &[("sse2", "-msse2"), ("sse41", "-msse4.1")],
        residue: "the kernels are chosen by VP8GetCPUInfo (cpuid) and WEBP_USE_SSE2/WEBP_USE_NEON from cpu.h; the dsp \
                  initialisers call upstream's *InitNEON under WEBP_HAVE_NEON (every aarch64 target), and CMake's \
                  cmake/cpu.cmake compiles *_sse2.c for a target only where cpu.h's WEBP_USE_SSE2 holds",
        kernels: None,
        own: Some(own::OwnTests { spec: include_str!("libwebp.molt.toml"), deps: &[] }),
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
        residue: "kernels use __attribute__((target(...))) and are chosen by cpuid in lib/x86/cpu_features.c; \
                  upstream's lib/arm stays (it is included by architecture), so its aarch64 figures count upstream's NEON",
        kernels: None,
        own: Some(own::OwnTests {
            spec: include_str!("libdeflate.molt.toml"),
            deps: &[own::Dep { member: LIBZ, from: "src/zlib", to: ".molt-deps/zlib" }],
        }),
    },
    Project {
        member: Member {
            name: "zstd",
            // Debian's source pool holds upstream's release tarball (1.5.7,
            // the version zstd-sys bundles) with its Makefiles and tests/;
            // lib/ is byte for byte what the crate has, and the port covers
            // lib/ only (zstd.molt.toml's include), so the site counts are the crate's.
            url: "http://deb.debian.org/debian/pool/main/libz/libzstd/libzstd_1.5.7+dfsg.orig.tar.xz",
            sha256: "0c092ef267edce57ba7f3f2645c861f72eaf5e76273c6c3632869423464b90a5",
            root: "zstd-1.5.7",
            dirs: &["lib"],
            cpp_headers: false,
            compiler: Compiler::None,
        },
        dir: ".",
        // Upstream's x86-64 Huffman decoder in assembly (its builds then need ZSTD_NO_ASM=1).
        remove: &["lib/decompress/huf_decompress_amd64.S", ".github/"],
        compile: &["lib/common", "lib/compress", "lib/decompress"],
        flags: &["-Ilib", "-Ilib/common", "-DZSTD_DISABLE_ASM"],
        x86_flags: &[],
        residue: "zstd keeps its NEON paths inline (ZSTD_ARCH_ARM_NEON), so there is nothing upstream to remove; \
                  its own build also compiles lib/legacy (zstd_v01.c's AVX2 hash table), which the object counts here do not",
        kernels: None,
        own: Some(own::OwnTests { spec: include_str!("zstd.molt.toml"), deps: &[] }),
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
