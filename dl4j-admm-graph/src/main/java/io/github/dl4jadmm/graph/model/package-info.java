/**
 * The Graph-Augmented MLP as a standard DL4J network ({@link io.github.dl4jadmm.graph.model.GaMlp}).
 */
package io.github.dl4jadmm.graph.model;
