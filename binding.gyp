{
  "targets": [
    {
      "target_name": "zkml_native",
      "sources": ["native/addon.cc", "native/field.cc", "native/fixed_base.cc", "native/ntt.cc", "native/prover.cc", "native/zkey.cc"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fexceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
