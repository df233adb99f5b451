package io.github.dl4jadmm.comm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Lossless wire format: the header, one byte for the element type, then the values in C order as
 * little-endian IEEE-754 in the tensor's own type (4 bytes per element for float32, the engine's default; 8 for
 * float64). Stateless: every link shares one encoder and one decoder.
 */
public final class RawTensorCodec implements TensorCodec, TensorEncoder, TensorDecoder {

    /** The shared instance. */
    public static final RawTensorCodec INSTANCE = new RawTensorCodec();

    private static final byte FLOAT32 = 4;
    private static final byte FLOAT64 = 8;

    private RawTensorCodec() {
    }

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public TensorEncoder newEncoder(Transfer link) {
        return this;
    }

    @Override
    public TensorDecoder newDecoder(Transfer link) {
        return this;
    }

    @Override
    public EncodedTensor encode(INDArray value) {
        DataType type = value.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("raw codec sends FLOAT or DOUBLE tensors, got " + type);
        }
        int width = type == DataType.FLOAT ? FLOAT32 : FLOAT64;
        long n = value.length();
        if (n * width > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("tensor of " + n + " elements is too large for one message");
        }
        WireHeader header = new WireHeader(WireHeader.KIND_RAW, value.shape());
        ByteBuffer buf = header.allocateWithPayload(1 + (int) (n * width));
        buf.put((byte) width);
        INDArray c = contiguousC(value);
        // on a GPU backend the host copy must be current before its bytes are read
        Nd4j.getAffinityManager().ensureLocation(c, AffinityManager.Location.HOST);
        ByteBuffer data = c.data().asNio().order(ByteOrder.nativeOrder());
        long offset = c.offset() * width;
        data.position((int) offset).limit((int) (offset + n * width));
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            buf.put(data);
        } else if (width == FLOAT32) {
            buf.asFloatBuffer().put(data.asFloatBuffer());
            buf.position(buf.position() + (int) (n * width));
        } else {
            buf.asDoubleBuffer().put(data.asDoubleBuffer());
            buf.position(buf.position() + (int) (n * width));
        }
        buf.flip();
        return new EncodedTensor(buf, value);
    }

    @Override
    public INDArray decode(ByteBuffer message) {
        return decode(message, null);
    }

    /** Copies the values straight into {@code reuse} when it is a plain C-order array of the message's type and shape. */
    @Override
    public INDArray decode(ByteBuffer message, INDArray reuse) {
        ByteBuffer in = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        WireHeader header = WireHeader.read(in);
        if (header.kind() != WireHeader.KIND_RAW) {
            throw new IllegalArgumentException("raw codec cannot decode a message of kind " + header.kind());
        }
        if (!in.hasRemaining()) {
            throw new IllegalArgumentException("truncated raw tensor message: element width missing");
        }
        int width = in.get();
        if (width != FLOAT32 && width != FLOAT64) {
            throw new IllegalArgumentException("raw tensor message has element width " + width + ", expected 4 or 8");
        }
        long n = header.length();
        if (in.remaining() != n * width) {
            throw new IllegalArgumentException("raw tensor message payload is " + in.remaining() + " bytes, expected "
                    + n * width + " for shape " + java.util.Arrays.toString(header.shape()));
        }
        // one copy, straight from the message into the array's own storage
        DataType type = width == FLOAT32 ? DataType.FLOAT : DataType.DOUBLE;
        boolean reusable = reuse != null && reuse.dataType() == type && reuse.ordering() == 'c' && !reuse.isView()
                && reuse.elementWiseStride() == 1 && java.util.Arrays.equals(reuse.shape(), header.shape());
        INDArray out = reusable ? reuse : Nd4j.create(type, header.shape(), 'c');
        if (reusable) {
            // on a GPU backend the host copy is overwritten whole: nothing to copy back from the device first
            Nd4j.getAffinityManager().ensureLocation(out, AffinityManager.Location.HOST);
        }
        ByteBuffer target = out.data().asNio().order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            target.put(in);
        } else if (width == FLOAT32) {
            target.asFloatBuffer().put(in.asFloatBuffer());
        } else {
            target.asDoubleBuffer().put(in.asDoubleBuffer());
        }
        // the values were written on the host side: a GPU backend copies them to the device when first used
        Nd4j.getAffinityManager().tagLocation(out, AffinityManager.Location.HOST);
        return out;
    }

    private static INDArray contiguousC(INDArray value) {
        boolean plain = value.ordering() == 'c' && !value.isView() && value.elementWiseStride() == 1;
        return plain ? value : value.dup('c');
    }
}
