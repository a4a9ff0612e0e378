package org.neurokernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.neurokernels.ops.Op;
import org.neurokernels.ops.OpRegistry;

/**
 * Every kernel family on every device, forced for all sizes: on OpenCL the tiled nk_gemm (with the GPU-style
 * step kernels), the packed nk_gemm_packed and the one-launch nk_gemm_direct / nk_gemm_dot (with the
 * CPU-style ones); on CUDA the tiled nk_gemm and the warp-tiled nk_gemm_warp. Each runs the full case lists
 * of the GEMM-based and step ops, so no path goes untested on any machine whatever a device picks by default.
 */
class GemmKernelsTest {

    @TestFactory
    Stream<DynamicNode> otherGemmKernelPassesTheSameCases() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String id : TestDevices.accelerators()) {
            boolean cuda = id.startsWith("cuda");
            for (KernelDevice.GemmKernel kernel : KernelDevice.GemmKernel.values()) {
                // OpenCL: tiled, packed and the one-launch kernels; CUDA: tiled and warp-tiled
                boolean has = cuda ? (kernel == KernelDevice.GemmKernel.TILED || kernel == KernelDevice.GemmKernel.WARP)
                        : kernel != KernelDevice.GemmKernel.WARP;
                if (!has) continue;
                List<DynamicNode> perOp = new ArrayList<>();
                // forcing the tiled GEMM also selects the GPU-style step, gather and generator kernels (nk_lif_step, nk_rate_step,
                // nk_gather_rows, nk_rate_multistep, nk_random_uniform); the CPU-style ones (nk_lif_step16, nk_rate_step16,
                // nk_rate_multistep_cpu, nk_random_uniform16) otherwise
                for (String name : List.of("gemm", "dense_forward", "backward_delta", "dense_update", "output_layer", "gather_rows", "random_uniform", "activation", "lif_step", "rate_step", "rate_multistep", "izhikevich_step")) {
                    Op op = OpRegistry.get(name);
                    List<DynamicNode> cases = new ArrayList<>();
                    int index = 0;
                    for (Op.Case c : op.cases(false)) {
                        long seed = TestDevices.SEED + 7919L * index++;
                        cases.add(dynamicTest(c.label(), () -> {
                            KernelDevice d = (KernelDevice) TestDevices.get(id);
                            d.setGemmKernel(kernel);
                            try {
                                OpConformanceTest.checkCase(id, op, c, seed);
                            } finally {
                                d.setGemmKernel(null);
                            }
                        }));
                    }
                    perOp.add(dynamicContainer(name, cases));
                }
                nodes.add(dynamicContainer(id + " " + kernel, perOp));
            }
        }
        return nodes.stream();
    }

    @org.junit.jupiter.api.Test
    void cpuOpenClPicksPackedAndJavaHasNoChoice() {
        for (String id : TestDevices.accelerators()) {
            Device d = TestDevices.get(id);
            if (d instanceof KernelDevice && "CPU".equals(d.info().details().get("device_type"))) {
                assertEquals(KernelDevice.GemmKernel.PACKED, ((KernelDevice) d).gemmKernel());
            }
            if (id.startsWith("cuda")) {
                assertThrows(UnsupportedOperationException.class, () -> ((KernelDevice) d).setGemmKernel(KernelDevice.GemmKernel.PACKED));
                assertThrows(UnsupportedOperationException.class, () -> ((KernelDevice) d).setGemmKernel(KernelDevice.GemmKernel.DIRECT));
            }
            if (id.startsWith("opencl")) {
                assertThrows(UnsupportedOperationException.class, () -> ((KernelDevice) d).setGemmKernel(KernelDevice.GemmKernel.WARP));
            }
        }
    }
}
