{
  "targets": [
    {
      "target_name": "torch_sentiment",
      "sources": ["<!@(node -p \"require('./native/sources.json').join(' ')\")"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node lib/libtorch.js --include)"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "<!(node lib/libtorch.js --cxx11-abi)"
      ],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-idirafter", "<(module_root_dir)/native/shim"],
      "ldflags": ["-Wl,--no-as-needed"],
      "libraries": [
        "-L<!(node lib/libtorch.js --lib-dir)",
        "<!@(node lib/libtorch.js --libs)",
        "<!@(node lib/libtorch.js --rpath)"
      ]
    }
  ]
}
