using System.ComponentModel.DataAnnotations;

namespace FanOut.Core.Configuration;

/// <summary>The watchdog (<c>FanOut__Watchdog__*</c>): a timer-triggered function that resumes jobs whose run died (its
/// lease lapsed with no result), so that a job survives the loss of the instance running it with nobody watching.</summary>
public sealed class WatchdogOptions
{
    /// <summary>The default <see cref="Schedule"/>: at second 0 of every minute.</summary>
    public const string DefaultSchedule = "0 */1 * * * *";

    /// <summary>When the watchdog runs: a six-field NCRONTAB expression, seconds first (<c>{second} {minute} {hour} {day}
    /// {month} {day-of-week}</c>), as a timer trigger takes it; the function's trigger reads this same setting
    /// (<c>%FanOut:Watchdog:Schedule%</c>).</summary>
    [Required]
    public string Schedule { get; set; } = DefaultSchedule;

    /// <summary>How many times the watchdog resumes one job at most (its own resumes; a client's <c>resume</c> is not
    /// counted); 0 turns the watchdog off.</summary>
    [Range(0, 1000)]
    public int MaxResumes { get; set; } = FanOutDefaults.WatchdogMaxResumes;
}
