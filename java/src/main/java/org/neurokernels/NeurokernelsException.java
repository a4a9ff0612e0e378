package org.neurokernels;

/** Base class of the errors neurokernels raises for device, kernel and I/O failures. */
public class NeurokernelsException extends RuntimeException {
    public NeurokernelsException(String message) { super(message); }
    public NeurokernelsException(String message, Throwable cause) { super(message, cause); }
}
