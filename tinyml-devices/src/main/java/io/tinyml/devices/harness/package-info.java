/**
 * The host side of the MLPerf Tiny / EEMBC test-harness protocol: {@link io.tinyml.devices.harness.DeviceClient}
 * talks to any compliant firmware (ours from {@code codegen --harness mlperf-tiny} or another vendor's).
 *
 * <p>The protocol, as published in {@code mlcommons/tiny} {@code benchmark/api}: a command is ASCII text
 * terminated by {@code %}; the device answers with lines prefixed {@code m-} (messages) or {@code e-}
 * (errors) and ends every answer with {@code m-ready}. Commands: {@code name}, {@code profile},
 * {@code timestamp} ({@code m-lap-us-N}), {@code db load N} ({@code m-[Expecting N bytes]}),
 * {@code db HEX...} ({@code m-load-done} once N bytes arrived), {@code db print}, {@code infer N W}
 * and {@code results} ({@code m-results-[v,...]}). A firmware's command buffer holds 80 characters.
 */
package io.tinyml.devices.harness;
