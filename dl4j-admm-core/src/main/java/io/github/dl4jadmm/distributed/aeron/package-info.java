/**
 * {@link io.github.dl4jadmm.distributed.MessageTransport} over Aeron UDP, for ranks that are separate processes.
 *
 * <pre>{@code
 * AeronTransportOptions options = AeronTransportOptions.builder().runId(applicationId).build();
 * try (AeronTransport transport = AeronTransport.bind(rank, size, "10.0.0.5:0", options)) {
 *     List<String> endpoints = rendezvous.exchangeEndpoints(rank, size, transport.localEndpoint(), timeout);
 *     transport.connect(endpoints, neighbours, timeout);
 *     ...
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.github.dl4jadmm.distributed.aeron.AeronTransport}: bind, connect (HELLO handshake), send and
 *       receive chunked, CRC-checked messages, abort, close (FIN handshake);</li>
 *   <li>{@link io.github.dl4jadmm.distributed.aeron.AeronTransportOptions}: run id, driver directory, MTU, chunk
 *       and term length, timeouts, idle strategy.</li>
 * </ul>
 * Every JVM shares one embedded media driver (SHARED threading, parking idle strategy), started by the first
 * transport and stopped, with its directory, by the last. The JVM needs
 * {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
package io.github.dl4jadmm.distributed.aeron;
