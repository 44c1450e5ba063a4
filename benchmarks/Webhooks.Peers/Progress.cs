namespace Webhooks.Peers;

/// <summary>What the peers have handed off and processed since they started.</summary>
internal static class Progress
{
    public static long HandedOff;
    public static long Processed;
}
