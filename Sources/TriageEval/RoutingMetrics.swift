/// The field's standard router metrics (see the routing data README): for a strong / weak
/// model pair, the PGR curve over the share of calls sent to the strong model, its area (APGR)
/// and the call share needed to recover a given part of the quality gap (CPT); for many priced
/// models, the cost-quality hull and its normalised area (AIQ).
public enum RoutingMetrics {
    /// One point of the PGR curve.
    public struct CurvePoint: Sendable, Equatable {
        /// Share of calls sent to the strong model.
        public var strongShare: Double
        /// Performance gap recovered: (r − r_weak) / (r_strong − r_weak).
        public var pgr: Double
    }

    /// The 11-point PGR curve of scores `p` (belief that the strong model is needed) on items
    /// with the strong and weak models' qualities, sorted by strong share. Ties in `p` are broken
    /// by a tiny deterministic jitter, as the metric's definition asks.
    public static func pgrCurve(scores: [Double], strong: [Double], weak: [Double]) -> [CurvePoint] {
        precondition(scores.count == strong.count && strong.count == weak.count && !scores.isEmpty)
        let count = scores.count
        let jittered = scores.enumerated().map { index, score in score + Double((index &* 2_654_435_761) % 1_000_003) * 1e-12 }
        let sorted = jittered.sorted()
        let strongMean = strong.reduce(0, +) / Double(count)
        let weakMean = weak.reduce(0, +) / Double(count)
        let gap = strongMean - weakMean
        var points: [CurvePoint] = []
        for k in 0...10 {
            let threshold = quantile(sorted, Double(k) / 10)
            var chosen = 0
            var total = 0.0
            for index in 0..<count {
                let toStrong = k == 10 ? jittered[index] > threshold : jittered[index] >= threshold
                if toStrong { chosen += 1 }
                total += toStrong ? strong[index] : weak[index]
            }
            let mean = total / Double(count)
            points.append(CurvePoint(strongShare: Double(chosen) / Double(count), pgr: gap == 0 ? 0 : (mean - weakMean) / gap))
        }
        return points.sorted { ($0.strongShare, $0.pgr) < ($1.strongShare, $1.pgr) }
    }

    /// Area under the PGR curve over strong share 0…1, by the trapezoid rule.
    public static func apgr(_ curve: [CurvePoint]) -> Double {
        zip(curve, curve.dropFirst()).reduce(0) { area, pair in
            area + (pair.1.strongShare - pair.0.strongShare) * (pair.0.pgr + pair.1.pgr) / 2
        }
    }

    /// The strong share at which the curve first reaches PGR `target`, by linear interpolation;
    /// `nil` if it never does.
    public static func cpt(_ curve: [CurvePoint], target: Double) -> Double? {
        if let first = curve.first, first.pgr >= target { return first.strongShare }
        for (a, b) in zip(curve, curve.dropFirst()) where a.pgr < target && b.pgr >= target {
            return a.strongShare + (target - a.pgr) / (b.pgr - a.pgr) * (b.strongShare - a.strongShare)
        }
        return nil
    }

    /// Linear-interpolation quantile of sorted values (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }

    /// A routing policy's mean cost per query and mean quality.
    public struct CostQuality: Sendable, Equatable {
        public var cost: Double
        public var quality: Double
        public init(cost: Double, quality: Double) {
            self.cost = cost
            self.quality = quality
        }
    }

    /// The non-decreasing upper convex hull of policy points, cheapest first.
    public static func hull(_ points: [CostQuality]) -> [CostQuality] {
        var hull: [CostQuality] = []
        for point in points.sorted(by: { ($0.cost, -$0.quality) < ($1.cost, -$1.quality) }) {
            if let last = hull.last, point.quality <= last.quality { continue }  // non-decreasing: dominated
            while hull.count >= 2 {
                let a = hull[hull.count - 2]
                let b = hull[hull.count - 1]
                // Drop b when it lies on or under the segment a → point.
                let cross = (b.cost - a.cost) * (point.quality - a.quality) - (b.quality - a.quality) * (point.cost - a.cost)
                if cross >= 0 { hull.removeLast() } else { break }
            }
            hull.append(point)
        }
        return hull
    }

    /// AIQ: the area under the hull from the cheapest to the dearest policy point, divided by
    /// that cost range (the hull stays flat after its last point).
    public static func aiq(_ points: [CostQuality]) -> Double {
        guard let low = points.map(\.cost).min(), let high = points.map(\.cost).max(), high > low else {
            return points.map(\.quality).max() ?? 0
        }
        var curve = hull(points)
        if let last = curve.last, last.cost < high { curve.append(CostQuality(cost: high, quality: last.quality)) }
        let area = zip(curve, curve.dropFirst()).reduce(0) { area, pair in
            area + (pair.1.cost - pair.0.cost) * (pair.0.quality + pair.1.quality) / 2
        }
        return area / (high - low)
    }

    /// The cheapest policy whose quality reaches `floor` × the reference quality, and its
    /// saving against the reference cost (1 − cost / reference cost); `nil` when none does.
    public static func saving(_ points: [CostQuality], reference: CostQuality, floor: Double) -> (point: CostQuality, saving: Double)? {
        let qualifying = points.filter { $0.quality >= floor * reference.quality }
        guard let cheapest = qualifying.min(by: { $0.cost < $1.cost }), reference.cost > 0 else { return nil }
        return (cheapest, 1 - cheapest.cost / reference.cost)
    }
}
