package io.github.dl4jadmm.examples.cli;

import io.github.dl4jadmm.data.SyntheticRegression;
import io.github.dl4jadmm.distributed.ChainCollective;
import io.github.dl4jadmm.distributed.DistributedGadmm;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankOptions;
import io.github.dl4jadmm.distributed.DistributedPdAdmm.RankResult;
import io.github.dl4jadmm.distributed.DistributedPdAdmm;
import io.github.dl4jadmm.distributed.LayerPartition;
import io.github.dl4jadmm.distributed.PdAdmmJob;
import io.github.dl4jadmm.distributed.StaticRendezvous;
import io.github.dl4jadmm.distributed.WorkerPartition;
import io.github.dl4jadmm.distributed.aeron.AeronTransport;
import io.github.dl4jadmm.distributed.aeron.AeronTransportOptions;
import io.github.dl4jadmm.examples.report.Json;
import io.github.dl4jadmm.gadmm.GadmmConfig;
import io.github.dl4jadmm.gadmm.LinearRegressionSolver;
import io.github.dl4jadmm.gadmm.LocalSolver;
import io.github.dl4jadmm.gadmm.LogisticRegressionSolver;
import io.github.dl4jadmm.graph.SplitPart;
import io.github.dl4jadmm.pdadmm.ExecutionMode;
import io.github.dl4jadmm.pdadmm.GreedyLayerGrowth;
import io.github.dl4jadmm.pdadmm.GrowthStage;
import io.github.dl4jadmm.pdadmm.InitialWeights;
import io.github.dl4jadmm.pdadmm.MlpArchitecture;
import io.github.dl4jadmm.pdadmm.PdAdmmConfig;
import io.github.dl4jadmm.quant.QuantizerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code dl4j-admm worker}: one rank of a pdADMM-G run whose layer blocks are spread over processes or machines.
 * Start one per rank, each with the same job and the same {@code --peers} list (e.g. from a Slurm node list or a
 * Kubernetes StatefulSet's DNS names); rank {@code r} receives on the {@code r}-th {@code host:port} and talks to
 * its chain neighbours over Aeron UDP. Every rank builds the job the same way (or reads it with {@code --job}) and
 * the ranks check, before the first iteration, that they were given the same one.
 *
 * <pre>
 * dl4j-admm worker --rank 0 --peers node1:40100,node2:40100 --dataset cora --layers 10 --output out
 * dl4j-admm worker --rank 1 --peers node1:40100,node2:40100 --dataset cora --layers 10 --output out
 * </pre>
 */
@Command(name = "worker", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Run one rank of a distributed job: a consecutive range of pdADMM-G layer blocks (or of "
                + "Q-GADMM chain workers with --problem) that talks to the neighbouring ranks over Aeron UDP.",
                "Start one process per rank with the same options and --peers list; each writes its layers' "
                        + "weights (its workers' models) under --output."})
public final class WorkerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rank", paramLabel = "R", defaultValue = "-1",
            description = "This process's rank, 0 .. (number of peers - 1).")
    int rank;

    @Option(names = "--peers", paramLabel = "HOST:PORT,...",
            description = "host:port where each rank receives, rank 0 first; the same list on every rank.")
    String peers;

    @Option(names = "--bind", paramLabel = "HOST:PORT",
            description = "Where this rank binds (default: its own --peers entry; e.g. 0.0.0.0:40100 behind NAT).")
    String bind;

    @Option(names = "--problem", paramLabel = "NAME", defaultValue = "pdadmm-g",
            description = {"pdadmm-g (default: layer blocks of a GA-MLP), or linear-regression / logistic-regression: "
                    + "Q-GADMM chain workers on seeded synthetic shards (the data of `dl4j-admm gadmm`), this rank "
                    + "holding a range of them."})
    String problem;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Chain workers of a regression problem (default: one per rank).")
    int workers;

    @Option(names = "--dimension", paramLabel = "D", defaultValue = "10",
            description = "Model dimension of a regression problem (default: ${DEFAULT-VALUE}).")
    int dimension;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "100",
            description = "Rows per worker of a regression problem (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--exact", description = "Regression problems: send exact models (GADMM) instead of quantised ones.")
    boolean exact;

    @Option(names = "--job", paramLabel = "FILE",
            description = "Read the whole job (network, configuration, data, initial weights) from a file written "
                    + "by --write-job, instead of building it from the options below.")
    Path jobFile;

    @Option(names = "--write-job", paramLabel = "FILE",
            description = "Build the job from the options below, write it to FILE and exit (no --rank/--peers).")
    Path writeJob;

    @Option(names = "--first-layers", paramLabel = "L,...", split = ",",
            description = "First layer of each rank, e.g. 1,4,8 (default: an even split).")
    int[] firstLayers;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--iterations", paramLabel = "T", defaultValue = "100",
            description = "ADMM iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--quantization", paramLabel = "MODE", defaultValue = "none",
            converter = DashedNames.QuantizationModes.class,
            description = "none, grid (pdADMM-G-Q: p on a per-boundary grid, sent as bit-packed indices) or delta "
                    + "(stochastic delta coding of p and q) (default: ${DEFAULT-VALUE}).")
    QuantizerConfig.Mode quantization;

    @Option(names = "--bits", paramLabel = "B", defaultValue = "8",
            description = "Bits per value with --quantization grid or delta (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--project-q", negatable = true,
            description = "With --quantization grid: project q onto the grid too, so both directions are quantised "
                    + "(default: on).")
    Boolean projectQ;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Keep this rank's checkpoints under DIR/rank-R; a rerun resumes from the newest iteration "
                    + "that every rank has.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", paramLabel = "K", defaultValue = "10",
            description = "Checkpoint every K iterations with --checkpoint-dir (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
            description = "How long to wait for peers to connect and for each neighbour message "
                    + "(default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--aeron-dir", paramLabel = "DIR",
            description = "Directory of this process's Aeron media driver (default: under /dev/shm or the temp dir).")
    Path aeronDir;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Write this rank's weights (layer-L-W.npy, layer-L-b.npy) and rank-R.json under DIR.")
    Path output;

    @Mixin
    DatasetOptions data = new DatasetOptions();

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        PrintWriter out = cmd.getOut();
        if (writeJob != null) {
            PdAdmmJob job = buildJob(cmd);
            Files.write(writeJob, job.toBytes());
            out.printf(Locale.ROOT, "wrote the job (%s, %d training rows, fingerprint %s) to %s%n",
                    job.architecture(), job.features().rows(), job.fingerprint().substring(0, 12), writeJob);
            out.flush();
            return 0;
        }
        if (peers == null) {
            throw new ParameterException(cmd, "--peers is required: host:port of every rank, rank 0 first");
        }
        StaticRendezvous rendezvous;
        try {
            rendezvous = StaticRendezvous.parse(peers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--peers: " + e.getMessage(), e);
        }
        int size = rendezvous.endpoints().size();
        if (rank < 0 || rank >= size) {
            throw new ParameterException(cmd, "--rank must be in 0.." + (size - 1) + " for " + size + " peers, got "
                    + rank);
        }
        if (timeoutSeconds < 1 || checkpointEvery < 1) {
            throw new ParameterException(cmd, "--timeout and --checkpoint-every must be >= 1");
        }
        // before any data are read or any peer is waited for: a rank that cannot save fails now, with the reason
        if (output != null) {
            RunDirectories.requireWritable(cmd, "--output", output);
        }
        if (checkpointDir != null && problem.equals("pdadmm-g")) {
            RunDirectories.requireWritable(cmd, "--checkpoint-dir", checkpointDir);
        }
        if (!problem.equals("pdadmm-g")) {
            return chainWorkers(cmd, rendezvous, size);
        }
        PdAdmmJob job = jobFile != null ? readJob(cmd) : buildJob(cmd);
        int totalLayers = job.architecture().layers();
        LayerPartition partition;
        try {
            partition = firstLayers != null ? LayerPartition.of(totalLayers, firstLayers)
                    : LayerPartition.even(totalLayers, size);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--first-layers: " + e.getMessage(), e);
        }
        if (partition.ranks() != size) {
            throw new ParameterException(cmd, "--first-layers gives " + partition.ranks() + " ranks but --peers names "
                    + size);
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        RankOptions options = RankOptions.defaults().withTimeout(timeout)
                .withHook((r, engine, m) -> progress(cmd, r, m.iteration(), job.config().iterations()));
        if (checkpointDir != null) {
            options = options.withCheckpoints(checkpointDir, checkpointEvery);
        }
        String runId = job.fingerprint().substring(0, 16);
        String bindTo = bindEndpoint(rendezvous);
        out.printf(Locale.ROOT, "rank %d of %d: layers %d..%d of %s, receiving on %s%n", rank, size,
                partition.firstLayer(rank), partition.lastLayer(rank), job.architecture(), bindTo);
        out.flush();
        RankResult result;
        long started = System.nanoTime();
        try (AeronTransport transport = connect(rendezvous, size, bindTo, runId, timeout)) {
            result = DistributedPdAdmm.runRank(job, partition, transport, options);
        }
        double total = (System.nanoTime() - started) / 1e9;
        out.printf(Locale.ROOT, "rank %d done: iterations %d..%d, %.4f s/iteration, %d bytes to neighbours "
                        + "(%d on the wire), %.1f s in all%n", rank, result.startIteration(), result.iterations(),
                result.secondsPerIteration(), result.transportBytes(), result.wireBytes(), total);
        if (output != null) {
            write(result, output);
            out.printf(Locale.ROOT, "rank %d wrote its weights under %s%n", rank, output);
        }
        out.flush();
        return 0;
    }

    /** Where this rank listens: {@code --bind}, else its own entry of the peer list. */
    private String bindEndpoint(StaticRendezvous rendezvous) {
        return bind != null ? bind : rendezvous.endpoints().get(rank);
    }

    /** This rank's Aeron transport, bound at {@code bindTo} and connected to its chain neighbours. */
    private AeronTransport connect(StaticRendezvous rendezvous, int size, String bindTo, String runId,
                                   Duration timeout) {
        AeronTransportOptions.Builder options = AeronTransportOptions.builder().runId(runId);
        if (aeronDir != null) {
            options.aeronDir(aeronDir);
        }
        AeronTransport transport = AeronTransport.bind(rank, size, bindTo, options.build());
        try {
            List<String> endpoints = rendezvous.exchangeEndpoints(rank, size, transport.localEndpoint(), timeout);
            transport.connect(endpoints, ChainCollective.neighbours(rank, size), timeout);
            return transport;
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    private void progress(CommandLine cmd, int r, int iteration, int of) {
        if (!common.quiet && ((iteration + 1) % 10 == 0 || iteration + 1 == of)) {
            cmd.getErr().printf(Locale.ROOT, "rank %d: iteration %d / %d%n", r, iteration + 1, of);
            cmd.getErr().flush();
        }
    }

    private PdAdmmJob readJob(CommandLine cmd) {
        try {
            return PdAdmmJob.fromBytes(Files.readAllBytes(jobFile));
        } catch (IOException | RuntimeException e) {
            throw new ParameterException(cmd, "--job: cannot read " + jobFile + ": " + e.getMessage(), e);
        }
    }

    /** The job every rank builds identically from the options: the GA-MLP on the training split of the data set. */
    private PdAdmmJob buildJob(CommandLine cmd) throws Exception {
        if (model.layers < 2 || model.neurons < 1 || iterations < 1) {
            throw new ParameterException(cmd, "--layers must be >= 2, --neurons and --iterations >= 1");
        }
        if (projectQ != null && quantization != QuantizerConfig.Mode.GRID) {
            throw new ParameterException(cmd, "--[no-]project-q applies to --quantization grid only");
        }
        DatasetOptions.LoadedDataset dataset = data.load(cmd);
        INDArray x = dataset.splits().features(SplitPart.TRAIN);
        INDArray y = dataset.splits().labels(SplitPart.TRAIN);
        MlpArchitecture architecture = MlpArchitecture.uniform(dataset.splits().numFeatures(), model.neurons,
                dataset.splits().numClasses(), model.layers);
        QuantizerConfig quantizer;
        PdAdmmConfig config;
        try {
            quantizer = quantization == QuantizerConfig.Mode.NONE ? QuantizerConfig.none()
                    : QuantizerConfig.builder().mode(quantization).bits(bits).seed(model.seed).build();
            config = PdAdmmConfig.builder().nu(model.nu).rho(model.rho).mu(model.mu).iterations(iterations)
                    .seed(model.seed).rhoSchedule(model.schedule).wStep(model.wStep).quantizer(quantizer)
                    .projectQ(quantization == QuantizerConfig.Mode.GRID && !Boolean.FALSE.equals(projectQ))
                    .evaluationFrequency(0).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage(), e);
        }
        // the recipe for depth: the shallow growth stages run here, in one engine; the full-depth stage is the job
        List<GrowthStage> stages = model.stages(cmd, iterations);
        GrowthStage last = stages.get(stages.size() - 1);
        InitialWeights initial = InitialWeights.xavier(stages.size() == 1 ? architecture
                : GreedyLayerGrowth.grow(architecture, stages.get(0).layers()), model.seed);
        List<INDArray> weights = initial.weights();
        List<INDArray> biases = initial.biases();
        if (stages.size() > 1) {
            PrintWriter out = cmd.getOut();
            out.printf(Locale.ROOT, "%s: the stages before %d layers run in this process, the %d-layer stage across "
                    + "the ranks%n", model.growthPolicy(cmd).describe(model.layers, iterations, model.mu),
                    model.layers, model.layers);
            out.flush();
            List<INDArray>[] grown = new GreedyLayerGrowth(stages).fitAllButLast(architecture,
                    config.toBuilder().executionMode(ExecutionMode.SERIAL).build(), x, y, weights, biases, null);
            weights = grown[0];
            biases = grown[1];
        }
        return new PdAdmmJob(architecture, config.toBuilder().mu(last.mu()).build(), x, y, weights, biases);
    }

    private static void write(RankResult result, Path directory) throws IOException {
        Files.createDirectories(directory);
        for (int l = result.firstLayer(); l <= result.lastLayer(); l++) {
            Nd4j.writeAsNumpy(result.weights().get(l - result.firstLayer()),
                    directory.resolve("layer-" + l + "-W.npy").toFile());
            Nd4j.writeAsNumpy(result.biases().get(l - result.firstLayer()),
                    directory.resolve("layer-" + l + "-b.npy").toFile());
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("rank", result.rank());
        summary.put("firstLayer", result.firstLayer());
        summary.put("lastLayer", result.lastLayer());
        summary.put("startIteration", result.startIteration());
        summary.put("iterations", result.iterations());
        summary.put("secondsPerIteration", result.secondsPerIteration());
        summary.put("bytesSent", result.bytesSent());
        summary.put("transportBytes", result.transportBytes());
        summary.put("wireBytes", result.wireBytes());
        summary.put("iterationSeconds", result.history().stream().map(m -> m.seconds()).toList());
        Files.writeString(directory.resolve("rank-" + result.rank() + ".json"),
                Json.write(summary));
    }

    /**
     * Q-GADMM over processes: every rank generates the same seeded shards, keeps those of its range of chain workers
     * and exchanges the edge workers' models with its neighbours over Aeron.
     */
    private int chainWorkers(CommandLine cmd, StaticRendezvous rendezvous, int size) throws Exception {
        boolean linear = switch (problem) {
            case "linear-regression" -> true;
            case "logistic-regression" -> false;
            default -> throw new ParameterException(cmd, "--problem must be pdadmm-g, linear-regression or "
                    + "logistic-regression, got " + problem);
        };
        UsageErrors.refuse(cmd, "applies to --problem pdadmm-g only", "--job", "--first-layers", "--checkpoint-dir",
                "--quantization", "--project-q", "--schedule");
        int chain = workers == 0 ? size : workers;
        if (chain < Math.max(2, size) || dimension < 1 || samples < 1 || iterations < 1) {
            throw new ParameterException(cmd, "--workers must be >= 2 and >= the number of ranks (" + size + "), "
                    + "--dimension, --samples and --iterations >= 1");
        }
        PrintWriter out = cmd.getOut();
        GadmmConfig config;
        try {
            GadmmConfig.Builder b = GadmmConfig.builder().rho(model.rho)
                    .iterations(iterations).seed(model.seed);
            config = (exact ? b.exact() : b.bits(bits)).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, e.getMessage(), e);
        }
        List<DataSet> shards = linear
                ? SyntheticRegression.shards(chain, samples, dimension, 10, 0.1, model.seed)
                : QGadmmBackend.logisticShards(chain, samples, dimension, model.seed);
        WorkerPartition partition =
                WorkerPartition.even(chain, size);
        List<LocalSolver> own = new ArrayList<>();
        for (int w = partition.firstWorker(rank); w <= partition.lastWorker(rank); w++) {
            DataSet shard = shards.get(w - 1);
            own.add(linear ? LinearRegressionSolver.of(shard)
                    : new io.github.dl4jadmm.gadmm.LogisticRegressionSolver(shard.getFeatures(), shard.getLabels()));
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        DistributedGadmm.RankOptions options =
                DistributedGadmm.RankOptions.defaults().withTimeout(timeout)
                        .withHook((r, trainer, m) -> progress(cmd, r, m.iteration(), iterations));
        String runId = "gadmm-" + problem + "-" + chain + "-" + model.seed;
        String bindTo = bindEndpoint(rendezvous);
        out.printf(Locale.ROOT, "rank %d of %d: Q-GADMM %s workers %d..%d of %d (%s), receiving on %s%n", rank, size,
                problem, partition.firstWorker(rank), partition.lastWorker(rank), chain,
                exact ? "exact models" : bits + "-bit models", bindTo);
        out.flush();
        DistributedGadmm.RankResult result;
        try (AeronTransport transport = connect(rendezvous, size, bindTo, runId, timeout)) {
            result = DistributedGadmm.runRank(config, partition, own, transport,
                    options);
        }
        out.printf(Locale.ROOT, "rank %d done: %d iterations, %.5f s/iteration, %d paper bits, %d bytes to "
                        + "neighbours (%d on the wire)%n", rank, result.iterations(), result.secondsPerIteration(),
                result.paperBits(), result.transportBytes(), result.wireBytes());
        if (output != null) {
            Files.createDirectories(output);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("rank", rank);
            summary.put("problem", problem);
            summary.put("firstWorker", result.firstWorker());
            summary.put("lastWorker", result.lastWorker());
            summary.put("iterations", result.iterations());
            summary.put("paperBits", result.paperBits());
            summary.put("bytesSent", result.bytesSent());
            summary.put("transportBytes", result.transportBytes());
            summary.put("wireBytes", result.wireBytes());
            summary.put("models", result.models().stream().map(m -> Arrays.stream(m).boxed().toList())
                    .toList());
            Files.writeString(output.resolve("rank-" + rank + ".json"),
                    Json.write(summary));
            out.printf(Locale.ROOT, "rank %d wrote its workers' models to %s%n", rank,
                    output.resolve("rank-" + rank + ".json"));
        }
        out.flush();
        return 0;
    }
}
