namespace PeftSharp.Tuners;

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Finds and replaces submodules of models whose source the caller does not own: dotted paths as in the state dict,
/// the registration updated in place (order kept), the C# field the forward reads assigned, and elements of
/// <c>Sequential</c>, <c>ModuleList</c> and <c>ModuleDict</c> replaced.
/// </summary>
public static class ModuleTree
{
    private static readonly FieldInfo Submodules =
        typeof(nn.Module).GetField("_internal_submodules", BindingFlags.Instance | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("This TorchSharp version has no Module._internal_submodules; PeftSharp needs TorchSharp 0.107.");

    /// <summary>
    /// Every submodule of <paramref name="root"/> with its dotted path, depth first in registration order (the root itself
    /// is not listed). Adapter layers are listed but not entered unless <paramref name="intoAdapters"/>.
    /// </summary>
    public static IEnumerable<(string Path, nn.Module Module)> Walk(nn.Module root, bool intoAdapters = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        return WalkFrom(root, string.Empty, intoAdapters);
    }

    /// <summary>The submodule at dotted path <paramref name="path"/>, or null.</summary>
    public static nn.Module? Find(nn.Module root, string path)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var current = root;
        foreach (var part in path.Split('.'))
        {
            var next = current.named_children().FirstOrDefault(c => c.name == part).module;
            if (next is null)
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>
    /// Puts <paramref name="replacement"/> where the submodule at <paramref name="path"/> is: in its parent's registration
    /// (same position, so parameter order is kept), in the parent's field that holds it, or in the container element.
    /// </summary>
    /// <exception cref="ArgumentException">No module has that path.</exception>
    /// <exception cref="InvalidOperationException">The field or container holding the module cannot hold the replacement's type.</exception>
    public static void Replace(nn.Module root, string path, nn.Module replacement)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(replacement);
        var split = path.LastIndexOf('.');
        var parent = split < 0 ? root : Find(root, path[..split]);
        var name = split < 0 ? path : path[(split + 1)..];
        var old = parent is null ? null : Find(parent, name);
        if (parent is null || old is null)
        {
            throw new ArgumentException($"The model has no module '{path}'.", nameof(path));
        }

        ReplaceChild(parent, name, old, replacement, path);
    }

    /// <summary>Re-registers child <paramref name="name"/> of <paramref name="owner"/> as <paramref name="replacement"/>, keeping its position.</summary>
    public static void ReplaceRegistration(nn.Module owner, string name, nn.Module replacement)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(replacement);
        var registered = (IDictionary<string, nn.Module>)Submodules.GetValue(owner)!;
        if (registered.ContainsKey(name))
        {
            // OrderedDict's indexer replaces the entry where it is; remove-and-add would move it last.
            registered[name] = replacement;
        }
        else
        {
            owner.register_module(name, replacement);
        }
    }

    private static IEnumerable<(string Path, nn.Module Module)> WalkFrom(nn.Module module, string prefix, bool intoAdapters)
    {
        foreach (var (name, child) in module.named_children().ToList())
        {
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            yield return (path, child);
            if (intoAdapters || child is not AdapterLayer)
            {
                foreach (var entry in WalkFrom(child, path, intoAdapters))
                {
                    yield return entry;
                }
            }
        }
    }

    private static void ReplaceChild(nn.Module parent, string name, nn.Module old, nn.Module replacement, string path)
    {
        if (parent is Sequential sequential)
        {
            ReplaceInSequential(sequential, name, replacement, path);
            return;
        }

        var type = parent.GetType();
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ModuleList<>))
        {
            SetElement(parent, int.Parse(name, System.Globalization.CultureInfo.InvariantCulture), replacement, path);
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ModuleDict<>))
        {
            SetElement(parent, name, replacement, path);
        }
        else
        {
            SetFields(parent, name, old, replacement, path);
        }

        ReplaceRegistration(parent, name, replacement);
    }

    private static void ReplaceInSequential(Sequential sequential, string name, nn.Module replacement, string path)
    {
        // Sequential keeps its children in private lists (not in the registration), and its forward reads them.
        var flags = BindingFlags.Instance | BindingFlags.NonPublic;
        var modules = typeof(Sequential).GetField("_modules", flags)?.GetValue(sequential) as IList;
        var names = typeof(Sequential).GetField("_names", flags)?.GetValue(sequential) as IList<string>;
        if (modules is null || names is null)
        {
            throw new InvalidOperationException("This TorchSharp version's Sequential has no _modules/_names lists; PeftSharp needs TorchSharp 0.107.");
        }

        var index = names.IndexOf(name);
        if (replacement is not nn.IModule<Tensor, Tensor>)
        {
            throw new InvalidOperationException($"'{path}' is in a Sequential, which can hold only Module<Tensor, Tensor>; {replacement.GetType().Name} is not one.");
        }

        modules[index] = replacement;
    }

    private static void SetElement(nn.Module container, object key, nn.Module replacement, string path)
    {
        var indexer = container.GetType().GetProperties()
            .FirstOrDefault(p => p.Name == "Item" && p.GetIndexParameters() is [var index] && index.ParameterType == key.GetType());
        var elementType = container.GetType().GetGenericArguments()[0];
        if (indexer is null || !elementType.IsInstanceOfType(replacement))
        {
            throw new InvalidOperationException(
                $"'{path}' is in a {container.GetType().Name} of {elementType.Name}, which cannot hold a {replacement.GetType().Name}: " +
                "declare the container with element type Module<Tensor, Tensor>.");
        }

        indexer.SetValue(container, replacement, [key]);
    }

    private static void SetFields(nn.Module parent, string name, nn.Module old, nn.Module replacement, string path)
    {
        var fields = new List<FieldInfo>();
        for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
        {
            fields.AddRange(type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => ReferenceEquals(f.GetValue(parent), old)));
        }

        // Every field holding the module is updated (the forward may read any of them); all are checked first so a
        // failure leaves the model unchanged.
        foreach (var field in fields)
        {
            if (!field.FieldType.IsInstanceOfType(replacement))
            {
                throw new InvalidOperationException(
                    $"'{path}' is held by field '{field.DeclaringType?.Name}.{field.Name}' of type {field.FieldType.Name}, which cannot hold a " +
                    $"{replacement.GetType().Name} (TorchSharp's layer types are sealed): declare the field as Module<Tensor, Tensor>.");
            }

        }

        foreach (var field in fields)
        {
            field.SetValue(parent, replacement);
        }
    }
}
