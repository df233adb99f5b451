package io.github.dl4jadmm.comm;

/**
 * A wire format for the tensors that cross a layer boundary. A codec hands out one encoder and one decoder per
 * link, so that the two ends of a link can live in different threads, processes or machines.
 */
public interface TensorCodec {

    /** Short name used in logs, metrics and configuration (e.g. {@code "float32"}). */
    String name();

    /** A fresh encoder for the sending end of {@code link}. */
    TensorEncoder newEncoder(Transfer link);

    /** A fresh decoder for the receiving end of {@code link}. */
    TensorDecoder newDecoder(Transfer link);
}
