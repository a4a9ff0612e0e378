// c-consumer from C++: neurokernels.h has extern "C" guards, so the same library links from C++.
// Opens a device (default opencl:pocl), computes a 3x4 by 4x2 product with nk_gemm and compares it with
// the exact integer result.
#include <neurokernels.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

void check(nk_status s, const char* what) {
    if (s != NK_OK) throw std::runtime_error(std::string(what) + ": " + nk_last_error());
}

// Owns a device; nk_close frees the buffers still allocated on it.
struct Device {
    nk_device* handle = nullptr;
    explicit Device(const std::string& selector) { check(nk_open(selector.c_str(), &handle), "nk_open"); }
    ~Device() { if (handle) nk_close(handle); }
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;
};

}  // namespace

int main(int argc, char** argv) {
    try {
        Device dev(argc > 1 ? argv[1] : "opencl:pocl");
        char id[NK_SELECTOR_CAPACITY];
        check(nk_device_selector(dev.handle, id, sizeof id), "nk_device_selector");
        std::vector<float> a(3 * 4), b(4 * 2), c(3 * 2);
        for (int i = 0; i < 12; i++) a[i] = static_cast<float>(i + 1);
        for (int i = 0; i < 8; i++) b[i] = static_cast<float>(i % 3 - 1);
        nk_buffer *da, *db, *dc;
        check(nk_alloc(dev.handle, 3, 4, &da), "nk_alloc");
        check(nk_alloc(dev.handle, 4, 2, &db), "nk_alloc");
        check(nk_alloc(dev.handle, 3, 2, &dc), "nk_alloc");
        check(nk_upload(da, a.data(), a.size()), "nk_upload");
        check(nk_upload(db, b.data(), b.size()), "nk_upload");
        check(nk_gemm(dev.handle, 0, 0, 1.0f, da, db, 0.0f, dc), "nk_gemm");
        check(nk_download(dc, c.data(), c.size()), "nk_download");
        int bad = 0;
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                float ref = 0;
                for (int p = 0; p < 4; p++) ref += a[i * 4 + p] * b[p * 2 + j];  // small integers: exact
                if (c[i * 2 + j] != ref) bad++;
            }
        }
        std::printf("c-consumer (C++): gemm 3x4x2 on %s: %s\n", id, bad ? "FAILED" : "OK");
        return bad ? 1 : 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "c-consumer (C++): %s\n", e.what());
        return 1;
    }
}
