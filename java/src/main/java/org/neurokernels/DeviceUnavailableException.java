package org.neurokernels;

/** A device that was asked for by name cannot be opened; the message says why. Never silently replaced. */
public class DeviceUnavailableException extends NeurokernelsException {
    public DeviceUnavailableException(String message) { super(message); }
    public DeviceUnavailableException(String message, Throwable cause) { super(message, cause); }
}
