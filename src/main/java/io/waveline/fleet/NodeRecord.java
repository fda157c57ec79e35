package io.waveline.fleet;

import java.time.Instant;
import java.util.Map;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A node as stored: the last report of its source, plus when Waveline first and last saw it. */
@Entity
@Table(name = "fleet_node")
public class NodeRecord extends PanacheEntityBase {

    @Id
    public String name;
    public String address;
    @Column(name = "ssh_port")
    public int sshPort;
    @Column(name = "ssh_user")
    public String sshUser;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> labels;
    @Column(name = "gpu_vendor")
    public String gpuVendor;
    @Column(name = "gpu_model")
    public String gpuModel;
    @Column(name = "gpu_count")
    public int gpuCount;
    public boolean nvswitch;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> versions;
    public boolean available;
    public String source;
    public boolean present;
    @Column(name = "first_seen_at")
    public Instant firstSeenAt;
    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    public void update(FleetNode node, Instant now) {
        address = node.address();
        sshPort = node.sshPort();
        sshUser = node.sshUser();
        labels = node.labels();
        gpuVendor = node.gpuVendor();
        gpuModel = node.gpuModel();
        gpuCount = node.gpuCount();
        nvswitch = node.nvswitch();
        versions = node.versions();
        available = node.available();
        source = node.source();
        present = true;
        lastSeenAt = now;
        if (firstSeenAt == null) {
            firstSeenAt = now;
        }
    }

    public FleetNode toNode() {
        return new FleetNode(name, address, sshPort, sshUser, Map.copyOf(labels), gpuVendor, gpuModel, gpuCount,
                nvswitch, Map.copyOf(versions), available, source);
    }
}
