package io.github.dl4jadmm.pdadmm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test support: an engine's exported state that outlives the engine ({@link PdAdmmEngine#close()} frees its arrays). */
final class EngineStates {

    private EngineStates() {
    }

    /** The iteration, rho, nu, schedule counter and copies of every block's arrays and scalars of {@code state}. */
    static PdAdmmCheckpoint.EngineState copy(PdAdmmCheckpoint.EngineState state) {
        PdAdmmCheckpoint.EngineState c = new PdAdmmCheckpoint.EngineState();
        c.iteration = state.iteration;
        c.nu = state.nu;
        c.rho = state.rho;
        c.bestScheduleLoss = state.bestScheduleLoss;
        c.sinceImprovement = state.sinceImprovement;
        c.bytesSent = state.bytesSent;
        c.grids = state.grids == null ? null : state.grids.clone();
        for (Map<String, INDArray> arrays : state.blockArrays) {
            Map<String, INDArray> copied = new LinkedHashMap<>();
            arrays.forEach((k, v) -> copied.put(k, v.dup()));
            c.blockArrays.add(copied);
        }
        state.blockScalars.forEach(s -> c.blockScalars.add(new LinkedHashMap<>(s)));
        c.codecStates.putAll(state.codecStates);
        return c;
    }
}
