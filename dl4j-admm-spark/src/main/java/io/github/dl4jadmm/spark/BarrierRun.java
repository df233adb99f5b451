package io.github.dl4jadmm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Runs {@code n} ranks together as one Spark barrier stage: partition {@code i} of an RDD with {@code n} partitions is
 * rank {@code i}, Spark launches all of them at once (or none), they find each other through
 * {@link RankContext#rendezvous()}, and the driver gets every rank's result, ordered by rank.
 *
 * <p>When a rank fails, Spark kills the others and reruns the whole stage, up to
 * {@code spark.stage.maxConsecutiveAttempts} times (default 4); the ranks see the new attempt in
 * {@link RankContext#stageAttemptNumber()}. Spark retries a barrier stage only when a shuffle follows it (a failing
 * barrier result stage aborts the job), so the results travel through one ({@code repartition(1)}) to the driver.
 *
 * <p>Needs a slot per rank, with neither dynamic allocation nor speculation; {@link #run} checks before launching. On
 * Java 17 the driver and executors need the {@code --add-opens} list of Spark's launcher (see the module's pom).
 *
 * <pre>{@code
 * List<byte[]> results = new BarrierRun(sc).run(4, context -> {
 *     List<String> endpoints = context.rendezvous().allGather("host:" + (40100 + context.rank()));
 *     return endpoints.toString().getBytes(StandardCharsets.UTF_8);
 * });
 * }</pre>
 */
public final class BarrierRun {

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[\\s*(\\*|\\d+)\\s*(?:,\\s*\\d+\\s*)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]");

    private final JavaSparkContext sparkContext;

    /** Runs on {@code sparkContext}'s executors. */
    public BarrierRun(JavaSparkContext sparkContext) {
        if (sparkContext == null) {
            throw new IllegalArgumentException("the Spark context is null");
        }
        this.sparkContext = sparkContext;
    }

    /**
     * Runs {@code task} as ranks {@code 0 .. tasks-1}, with no input data ({@link RankContext#data()} is empty).
     *
     * @return every rank's result, indexed by rank
     * @throws IllegalArgumentException if {@code tasks < 1}
     * @throws IllegalStateException    if the context has fewer slots than tasks, or dynamic allocation or
     *                                  speculation is on
     * @throws org.apache.spark.SparkException (undeclared, as everywhere in Spark's Java API) if the stage still
     *                                  failed after {@code spark.stage.maxConsecutiveAttempts} attempts
     */
    public List<byte[]> run(int tasks, RankTask<Void> task) {
        if (tasks < 1) {
            throw new IllegalArgumentException("a barrier run needs at least one task, got " + tasks);
        }
        checkCanRun(sparkContext.getConf(), sparkContext.defaultParallelism(), tasks);
        return launch(sparkContext.<Void>parallelize(List.of(), tasks), task);
    }

    /**
     * Runs {@code task} once per partition of {@code shards}: partition {@code i} is rank {@code i} and its elements
     * are {@link RankContext#data()}. Spark launches a barrier stage only over RDDs whose ancestors in the same stage
     * have as many partitions (no {@code union}, {@code coalesce} without shuffle, or pruned partitions).
     *
     * @return every rank's result, indexed by rank
     * @throws IllegalStateException if the context has fewer slots than {@code shards} has partitions, or dynamic
     *                               allocation or speculation is on
     */
    public <T> List<byte[]> run(JavaRDD<T> shards, RankTask<T> task) {
        checkCanRun(sparkContext.getConf(), sparkContext.defaultParallelism(), shards.getNumPartitions());
        return launch(shards, task);
    }

    private <T> List<byte[]> launch(JavaRDD<T> shards, RankTask<T> task) {
        if (task == null) {
            throw new IllegalArgumentException("the rank task is null");
        }
        int tasks = shards.getNumPartitions();
        @SuppressWarnings({"unchecked", "rawtypes"})
        ClassTag<Tuple2<Integer, byte[]>> tag = (ClassTag) ClassTag$.MODULE$.apply(Tuple2.class);
        RDD<Tuple2<Integer, byte[]>> ranked = shards.rdd().barrier().mapPartitions(new RunRank<>(task), false, tag);
        // The shuffle makes the barrier stage a shuffle-map stage, the kind Spark retries as a whole.
        List<Tuple2<Integer, byte[]>> collected = new JavaRDD<>(ranked, tag).repartition(1).collect();
        byte[][] results = new byte[tasks][];
        for (Tuple2<Integer, byte[]> result : collected) {
            if (results[result._1()] != null) {
                throw new IllegalStateException("rank " + result._1() + " returned two results");
            }
            results[result._1()] = result._2();
        }
        List<Integer> missing = new ArrayList<>();
        for (int rank = 0; rank < tasks; rank++) {
            if (results[rank] == null) {
                missing.add(rank);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("ranks " + missing + " of " + tasks + " returned no result");
        }
        return List.copyOf(Arrays.asList(results));
    }

    /**
     * Refuses a run that Spark could not launch as one barrier stage, with a message that says what to change
     * (Spark itself would retry its slot check 40 times, 15 s apart, before failing).
     *
     * @param defaultParallelism the context's default parallelism, used as the slot count outside local mode
     */
    static void checkCanRun(SparkConf conf, int defaultParallelism, int tasks) {
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalStateException("a barrier stage needs a fixed set of executors: set "
                    + "spark.dynamicAllocation.enabled=false");
        }
        if (conf.getBoolean("spark.speculation", false)) {
            throw new IllegalStateException("a barrier stage cannot run speculative copies of its tasks: set "
                    + "spark.speculation=false");
        }
        int slots = slots(conf, defaultParallelism);
        if (slots < tasks) {
            String master = conf.get("spark.master", "");
            boolean local = LOCAL.matcher(master).matches() || LOCAL_CLUSTER.matcher(master).matches();
            throw new IllegalStateException("the run needs " + tasks + " tasks running at once, but the Spark context "
                    + "has " + slots + " slots (master " + master + ", spark.task.cpus "
                    + conf.getInt("spark.task.cpus", 1) + (local ? "" : ", default parallelism " + defaultParallelism
                    + " from the executors registered so far") + "): use fewer tasks or more cores");
        }
    }

    /** Tasks the context can run at once: its cores (from a local master, else the default parallelism) per task. */
    static int slots(SparkConf conf, int defaultParallelism) {
        String master = conf.get("spark.master", "").trim();
        int cores = defaultParallelism;
        Matcher local = LOCAL.matcher(master);
        Matcher localCluster = LOCAL_CLUSTER.matcher(master);
        if (local.matches()) {
            String threads = local.group(1);
            cores = threads == null ? 1
                    : threads.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        } else if (localCluster.matches()) {
            cores = Integer.parseInt(localCluster.group(1)) * Integer.parseInt(localCluster.group(2));
        }
        return cores / Math.max(1, conf.getInt("spark.task.cpus", 1));
    }

    /** The function each barrier task applies to its partition: run the rank, return (rank, result). */
    private static final class RunRank<T> extends AbstractFunction1<scala.collection.Iterator<T>,
            scala.collection.Iterator<Tuple2<Integer, byte[]>>> implements Serializable {

        private static final long serialVersionUID = 1L;

        private final RankTask<T> task;

        RunRank(RankTask<T> task) {
            this.task = task;
        }

        @Override
        public scala.collection.Iterator<Tuple2<Integer, byte[]>> apply(scala.collection.Iterator<T> partition) {
            BarrierTaskContext barrierContext = BarrierTaskContext.get();
            Iterator<T> data = CollectionConverters.asJava(partition);
            RankContext<T> context = new RankContext<>(barrierContext, data);
            byte[] result;
            try {
                result = task.run(context);
            } catch (RuntimeException e) {
                throw e; // unchanged, so that Spark still recognises its own TaskKilledException
            } catch (Exception e) {
                throw new RankFailedException("rank " + context.rank() + " of " + context.size() + " (stage attempt "
                        + context.stageAttemptNumber() + ") failed: " + e, e);
            }
            if (result == null) {
                throw new IllegalStateException("rank " + context.rank() + " returned null; return an empty array "
                        + "when there is nothing to report");
            }
            return CollectionConverters.asScala(List.of(new Tuple2<>(context.rank(), result)).iterator());
        }
    }
}
