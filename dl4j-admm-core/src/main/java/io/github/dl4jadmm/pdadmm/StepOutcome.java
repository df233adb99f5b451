package io.github.dl4jadmm.pdadmm;

/**
 * Outcome of one linearised (prox-gradient) step with backtracking: the subproblem's value before and after, the
 * curvature {@code tau} (or {@code theta}) that was accepted, how many doublings it took, and whether it was
 * accepted at all (if the cap on doublings was hit, the old iterate is kept and {@code accepted} is false).
 *
 * @param before    subproblem value at the old iterate
 * @param after     subproblem value at the new iterate (equal to {@code before} when not accepted)
 * @param curvature the step constant used ({@code tau} for p, {@code theta} for W)
 * @param doublings how many times the curvature was doubled before acceptance
 * @param accepted  whether the acceptance test passed within the cap
 */
public record StepOutcome(double before, double after, double curvature, int doublings, boolean accepted) {
}
