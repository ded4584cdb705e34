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
        undefine: &[],
        compile: &["."],
        flags: &["-I."],
        x86_flags: &[
            ("sse2", "-msse2"),
            ("sse41", "-msse4.1"),
            ("avx2", "-mavx2"),
            ("avx512", "-mavx512f -mavx512vl"),
        ],
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
        // With the NEON files goes the dsp initialisers' use of them.
        undefine: &["WEBP_USE_NEON", "WEBP_HAVE_NEON", "WEBP_ANDROID_NEON"],
        compile: &["src/dsp"],
        flags: &["-I."],
        x86_flags: &[("sse2", "-msse2"), ("sse41", "-msse4.1")],
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
        // lib/arm goes, and with it the branches that include it by
        // architecture (ARCH_ARM32/ARCH_ARM64), as if it never was.
        remove: &["scripts/", "lib/arm/"],
        undefine: &["ARCH_ARM32", "ARCH_ARM64"],
        compile: &["lib"],
        flags: &["-I."],
        x86_flags: &[],
        kernels: Some(KernelCheck { driver: include_str!("libdeflate_kernels.c"), sources: &[], flags: &["-Ilib", "-I."] }),
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
        // zstd's own NEON paths are inline, under ZSTD_ARCH_ARM_NEON: they go.
        undefine: &["ZSTD_ARCH_ARM_NEON"],
        compile: &["lib/common", "lib/compress", "lib/decompress"],
        flags: &["-Ilib", "-Ilib/common", "-DZSTD_DISABLE_ASM"],
        x86_flags: &[],
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
        undefine: &[],
        compile: &["tests/cpp"],
        flags: &["-I."],
        // Upstream's CMake builds with -march=native; these make every kernel set compile on x86.
        x86_flags: &[("", "-mavx -mavx512f")],
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
