namespace PeftSharp.Generators.Emit;

using System.Collections.Generic;
using System.Linq;
using PeftSharp.Generators.Model;

/// <summary>Writes the internal accessors of one partial child module class (see <see cref="AccessorRequest"/>).</summary>
internal static class AccessorEmitter
{
    public static string Emit(IReadOnlyList<AccessorRequest> requests)
    {
        // The accessors pass the field through unchanged, so nullability is the field's business, not theirs.
        return PartialTypeFile.Write(requests[0].Owner, "#nullable disable", baseList: null, writer =>
        {
            foreach (var request in requests.GroupBy(r => r.AccessorName).Select(g => g.First()).OrderBy(r => r.AccessorName, System.StringComparer.Ordinal))
            {
                writer.Line("/// <summary>Lets PeftSharp's generated ApplyAdapters() of a containing model reach this field without reflection.</summary>");
                writer.Line("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
                writer.Line(request.Writable
                    ? $"internal {request.TypeName} {request.AccessorName} {{ get => this.{request.FieldName}; set => this.{request.FieldName} = value; }}"
                    : $"internal {request.TypeName} {request.AccessorName} => this.{request.FieldName};");
            }
        });
    }
}
