using System.Text.Json;

namespace Monetization.StripeEmulator.State;

/// <summary>Saves and loads <see cref="StateData"/> as one JSON file (written atomically via a temporary file).</summary>
internal sealed class Persistence
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private readonly string? _path;

    public Persistence(string? path) => _path = string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);

    public StateData Load()
    {
        if (_path is null || !File.Exists(_path))
        {
            return new StateData();
        }

        var text = File.ReadAllText(_path);
        return JsonSerializer.Deserialize<StateData>(text, Json) ?? new StateData();
    }

    public void Save(StateData data)
    {
        if (_path is null)
        {
            return;
        }

        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(data, Json));
        File.Move(temp, _path, overwrite: true);
    }
}
