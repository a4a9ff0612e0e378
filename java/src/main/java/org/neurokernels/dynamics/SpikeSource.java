package org.neurokernels.dynamics;

import org.neurokernels.Matrix;

/** Something whose spikes a projection carries: a LIF population or a Poisson source (batch x size, 0/1). */
public interface SpikeSource {
    int size();

    /** The spikes of the last step, on the device. */
    Matrix spikes();
}
