package io.tinyml.devices.harness;

/**
 * A device's answers to {@code name%} and {@code profile%}.
 *
 * @param name the name from {@code m-name-NAME-[VENDOR]} ({@code dut} for a device under test)
 * @param vendor the vendor from the same line
 * @param profile the firmware from {@code m-profile-[...]}, empty if not reported
 * @param model the model from {@code m-model-[...]}, empty if not reported
 */
public record DeviceIdentity(String name, String vendor, String profile, String model) {
}
