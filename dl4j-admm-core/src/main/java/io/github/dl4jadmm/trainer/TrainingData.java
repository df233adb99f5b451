package io.github.dl4jadmm.trainer;

import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.OutputRisk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The checks a data set must pass before pdADMM-G allocates anything, and the concatenation of an iterator's
 * batches (ADMM is full batch: every block holds all {@code N} rows). Every failure names what is wrong and where
 * (row, column) and what to do.
 */
public final class TrainingData {

    private TrainingData() {
    }

    /**
     * Checks features and labels against the network.
     *
     * @param what how messages name the data, e.g. {@code "training data"}
     * @throws IllegalArgumentException on a wrong shape, a wrong feature or label count, NaN or infinite values, or
     *                                  (for softmax cross-entropy) labels that are not one-hot
     */
    public static void validate(MlpArchitecture architecture, INDArray features, INDArray labels, String what) {
        if (features == null || labels == null) {
            throw new IllegalArgumentException(what + ": features and labels must not be null");
        }
        int nIn = architecture.inputsOf(1);
        int nOut = architecture.outputsOf(architecture.layers());
        if (features.rank() != 2) {
            throw new IllegalArgumentException(what + ": features must be a matrix [N, " + nIn + "] (rows are "
                    + "samples), got shape " + Arrays.toString(features.shape()));
        }
        if (features.rows() == 0) {
            throw new IllegalArgumentException(what + " has no rows");
        }
        if (features.columns() != nIn) {
            throw new IllegalArgumentException(what + ": features have " + features.columns() + " columns but the "
                    + "network's first layer expects nIn = " + nIn);
        }
        if (!features.dataType().isFPType() || !labels.dataType().isFPType()) {
            throw new IllegalArgumentException(what + ": features and labels must be floating point, got "
                    + features.dataType() + " and " + labels.dataType());
        }
        if (labels.rank() != 2 || labels.rows() != features.rows()) {
            throw new IllegalArgumentException(what + ": labels must be a matrix [" + features.rows() + ", " + nOut
                    + "] (one row per feature row), got shape " + Arrays.toString(labels.shape()));
        }
        if (labels.columns() != nOut) {
            String hint = labels.columns() == 1 && nOut > 1 && architecture.risk() == OutputRisk.SOFTMAX_CROSS_ENTROPY
                    ? "; class indices must be one-hot encoded (e.g. DataSet with numClasses " + nOut + ")" : "";
            throw new IllegalArgumentException(what + ": labels have " + labels.columns() + " columns but the output "
                    + "layer has nOut = " + nOut + hint);
        }
        requireFinite(features, what + ": features");
        requireFinite(labels, what + ": labels");
        if (architecture.risk() == OutputRisk.SOFTMAX_CROSS_ENTROPY) {
            requireOneHot(labels, what);
        }
    }

    private static void requireFinite(INDArray array, String what) {
        INDArray bad = Transforms.or(array.isNaN(), array.isInfinite());
        if (!bad.any()) {
            return;
        }
        long[] at = firstTrue(bad);
        throw new IllegalArgumentException(what + " contain NaN or infinite values (first at row " + at[0]
                + ", column " + at[1] + ": " + array.getDouble(at[0], at[1]) + "); clean or impute them first");
    }

    private static void requireOneHot(INDArray labels, String what) {
        INDArray binary = Transforms.or(labels.eq(0), labels.eq(1));
        INDArray rowSums = labels.castTo(DataType.DOUBLE).sum(1);
        INDArray badRows = Transforms.or(binary.castTo(DataType.INT32).min(1).eq(0), rowSums.neq(1.0));
        if (!badRows.any()) {
            return;
        }
        long row = Nd4j.argMax(badRows.castTo(DataType.INT32)).getLong(0);
        throw new IllegalArgumentException(what + ": labels must be one-hot for softmax cross-entropy (one 1 per row, "
                + "0 elsewhere), but row " + row + " is " + labels.getRow(row).toString().replaceAll("\\s+", " ")
                + "; encode class indices in range 0.." + (labels.columns() - 1) + " as one-hot rows");
    }

    /** Row and column of the first true element (row-major order) of a boolean matrix with at least one. */
    private static long[] firstTrue(INDArray bad) {
        INDArray asInt = bad.castTo(DataType.INT32);
        long row = Nd4j.argMax(asInt.max(1)).getLong(0);
        long column = Nd4j.argMax(asInt.getRow(row)).getLong(0);
        return new long[]{row, column};
    }

    /**
     * All batches of an iterator as one data set (the iterator is reset first if it can be). Masks are refused:
     * pdADMM-G trains feed-forward chains on plain rows.
     *
     * @throws IllegalArgumentException if the iterator is empty, batches disagree in width, or carry masks
     */
    public static DataSet concatenate(DataSetIterator iterator) {
        if (iterator == null) {
            throw new IllegalArgumentException("the data set iterator must not be null");
        }
        if (iterator.resetSupported()) {
            iterator.reset();
        }
        List<INDArray> features = new ArrayList<>();
        List<INDArray> labels = new ArrayList<>();
        int batch = 0;
        while (iterator.hasNext()) {
            DataSet ds = iterator.next();
            requireNoMasks(ds, "batch " + batch);
            if (!features.isEmpty() && (ds.getFeatures().columns() != features.get(0).columns()
                    || ds.getLabels().columns() != labels.get(0).columns())) {
                throw new IllegalArgumentException("batch " + batch + " has " + ds.getFeatures().columns()
                        + " feature and " + ds.getLabels().columns() + " label columns, but batch 0 has "
                        + features.get(0).columns() + " and " + labels.get(0).columns());
            }
            features.add(ds.getFeatures());
            labels.add(ds.getLabels());
            batch++;
        }
        if (features.isEmpty()) {
            throw new IllegalArgumentException("the data set iterator returned no batches (was it exhausted and not "
                    + "resettable?)");
        }
        if (features.size() == 1) {
            return new DataSet(features.get(0), labels.get(0));
        }
        DataType fType = features.get(0).dataType();
        DataType lType = labels.get(0).dataType();
        return new DataSet(Nd4j.concat(0, features.stream().map(f -> f.castTo(fType)).toArray(INDArray[]::new)),
                Nd4j.concat(0, labels.stream().map(l -> l.castTo(lType)).toArray(INDArray[]::new)));
    }

    /** Refuses a data set with feature or label masks. */
    public static void requireNoMasks(DataSet data, String what) {
        if (data == null || data.getFeatures() == null || data.getLabels() == null) {
            throw new IllegalArgumentException(what + ": a data set with features and labels is needed");
        }
        if (data.getFeaturesMaskArray() != null || data.getLabelsMaskArray() != null) {
            throw new IllegalArgumentException(what + " has feature or label masks, which pdADMM-G does not support "
                    + "(feed-forward chains train on plain rows); drop the masks or the masked rows");
        }
    }
}
