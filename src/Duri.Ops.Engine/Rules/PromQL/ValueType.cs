namespace Duri.Ops.Engine.Rules.PromQL
{
    /// <summary>The type a PromQL expression evaluates to.</summary>
    public enum ValueType
    {
        Scalar,
        String,
        InstantVector,
        RangeVector,
    }
}
