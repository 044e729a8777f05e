using System.Diagnostics.CodeAnalysis;

// ChunkProcessor's constructor is private protected so that ChunkProcessor<TOptions, TPartial, TResult> is the only
// way to write a processor; ChunkProcessor has no protected member a user could reach through it (ReflectionJson is
// private protected too), so the derived class's protected constructor exposes nothing.
[assembly: SuppressMessage("ApiDesign", "RS0022:Constructor make noninheritable base class inheritable",
    Justification = "By design: the one inheritable processor base; the non-generic base exposes no protected member.",
    Scope = "type", Target = "~T:FanOut.Core.Processing.ChunkProcessor`3")]
