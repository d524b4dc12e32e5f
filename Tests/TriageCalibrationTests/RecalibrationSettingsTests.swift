import Foundation
import Testing
import TriageCalibration
import TriageConfig
import TriageStore

/// The configured `calibration:` section sets the recalibration floor and evidence; the
/// command's flags override it for one run.
@Suite("Recalibration settings")
struct RecalibrationSettingsTests {
    @Test("configured values are used; each given override wins")
    func overrides() {
        var configured = CalibrationSettings()
        configured.floor = 0.95
        configured.minimumSamples = 50
        configured.thresholdStep = 0.02
        let plain = RecalibrationSettings(configured)
        #expect(plain.qualityFloor == 0.95 && plain.minimumSamples == 50 && plain.thresholdStep == 0.02)
        let overridden = RecalibrationSettings(configured, floor: 0.8, minimumSamples: 10)
        #expect(overridden.qualityFloor == 0.8 && overridden.minimumSamples == 10 && overridden.thresholdStep == 0.02)
        #expect(RecalibrationSettings(CalibrationSettings()) == RecalibrationSettings())
    }

    @Test("the configured floor decides whether a skill moves down: 40 of 40 passes clear 0.9 (Wilson ≥ 0.912), not 0.95")
    func configuredFloorDecides() async throws {
        let store = try RecalibrationJobTests.store()
        try await store.insert(RecalibrationJobTests.calls(40, skill: "extraction", score: 0.3))
        var config = RecalibrationJobTests.config
        config.calibration.floor = 0.95
        let strict = RecalibrationJob(config: config, store: store, settings: RecalibrationSettings(config.calibration))
        let kept = try await strict.run(window: 86400, now: RecalibrationJobTests.now, write: false)
        #expect(kept.recalibration.tuning.skillBandTiers["extraction"] == nil)
        let flag = RecalibrationJob(config: config, store: store, settings: RecalibrationSettings(config.calibration, floor: 0.9))
        let moved = try await flag.run(window: 86400, now: RecalibrationJobTests.now, write: false)
        #expect(moved.recalibration.tuning.skillBandTiers["extraction"] == .small)
    }
}
