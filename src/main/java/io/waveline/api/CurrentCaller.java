package io.waveline.api;

import jakarta.enterprise.context.RequestScoped;

/** Who is calling in this request, as the access filter established it. */
@RequestScoped
public class CurrentCaller {

    private String name = "anonymous";

    public String name() {
        return name;
    }

    void set(String name) {
        this.name = name;
    }
}
