package io.github.dl4jadmm.pdadmm;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Placement of layer blocks on ND4J devices through the affinity manager. On the CPU backend there is one device
 * and pinning does nothing; on CUDA each block's thread is pinned to the block's GPU before it touches its
 * arrays.
 */
public final class Devices {

    private Devices() {
    }

    /** Number of devices ND4J sees (1 on the CPU backend). */
    public static int count() {
        return Nd4j.getAffinityManager().getNumberOfDevices();
    }

    /** Pins the calling thread to {@code device} when more than one device exists. */
    public static void pin(int device) {
        if (count() > 1) {
            Nd4j.getAffinityManager().unsafeSetDevice(device);
        }
    }

    /** The device the calling thread is attached to. */
    public static int current() {
        return Nd4j.getAffinityManager().getDeviceForCurrentThread();
    }

    /** A copy of {@code array} on {@code device} ({@code dup()} where the backend has no replication). */
    public static INDArray copyTo(int device, INDArray array) {
        if (count() > 1) {
            INDArray replica = Nd4j.getAffinityManager().replicateToDevice(device, array);
            if (replica != null) {
                return replica;
            }
        }
        return array.dup('c');
    }

    /**
     * {@code array} itself where it can serve on {@code device} as it is (one device, and a dense c-order array
     * rather than a view), else a dense copy there ({@link #copyTo}): for arrays that are handed over, such as those
     * read from a checkpoint, which would otherwise be copied for nothing.
     */
    public static INDArray adopt(int device, INDArray array) {
        if (count() > 1 || array.isView() || array.ordering() != 'c') {
            return copyTo(device, array);
        }
        return array;
    }

    /**
     * The device of each layer: {@code explicit} if given (validated), else round-robin over the visible devices.
     *
     * @throws IllegalArgumentException if {@code explicit} has the wrong length or names a device that does not
     *                                  exist
     */
    public static int[] placement(int layers, int[] explicit) {
        int devices = count();
        if (explicit == null) {
            int[] p = new int[layers];
            for (int l = 0; l < layers; l++) {
                p[l] = l % devices;
            }
            return p;
        }
        if (explicit.length != layers) {
            throw new IllegalArgumentException("device placement " + Arrays.toString(explicit) + " has "
                    + explicit.length + " entries but the network has " + layers + " layers; give one device per layer");
        }
        for (int d : explicit) {
            if (d < 0 || d >= devices) {
                throw new IllegalArgumentException("device placement " + Arrays.toString(explicit) + " names device "
                        + d + " but ND4J sees " + devices + " device(s) (ids 0.." + (devices - 1) + ")");
            }
        }
        return explicit.clone();
    }
}
