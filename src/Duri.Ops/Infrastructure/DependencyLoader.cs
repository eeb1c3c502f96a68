using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace System.Runtime.CompilerServices
{
    /// <summary>Lets the compiler emit a module initializer for netstandard2.0.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class ModuleInitializerAttribute : Attribute
    {
    }
}

namespace Duri.Ops.Infrastructure
{
    /// <summary>
    /// Loads the engine and its libraries from the module's dependencies folder so that Duri.Ops and another
    /// module with its own YamlDotNet can share a session in either import order. On pwsh 7 they live in a load
    /// context of their own; on Windows PowerShell they are found through AssemblyResolve.
    /// </summary>
    internal static class DependencyLoader
    {
        public const string FolderName = "dependencies";

        private static readonly object Gate = new object();
        private static bool _initialized;

        private static string Folder => Path.Combine(Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location)!, FolderName);

        // Runs when the CLR loads Duri.Ops.dll, before PowerShell looks at any cmdlet's parameter types.
        [System.Runtime.CompilerServices.ModuleInitializer]
        internal static void Initialize()
        {
            lock (Gate)
            {
                // In a development layout (tests, IDE) the engine sits beside this assembly and loads normally.
                if (_initialized || !Directory.Exists(Folder)) return;
                _initialized = true;
                if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
                    AppDomain.CurrentDomain.AssemblyResolve += ResolveOnFramework;
                else
                    IsolatedContext.Register(Folder);
            }
        }

        private static Assembly? ResolveOnFramework(object? sender, ResolveEventArgs args)
        {
            var path = Path.Combine(Folder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }

        /// <summary>Kept apart so that Windows PowerShell never loads AssemblyLoadContext.</summary>
        private sealed class IsolatedContext : AssemblyLoadContext
        {
            // What must come from this module's own copies; everything else (the framework, System.Text.Json on pwsh 7)
            // is shared with the session through the default context.
            private static readonly string[] OwnAssemblies = { "Duri.Ops.Engine", "YamlDotNet" };

            private readonly string _folder;

            private IsolatedContext(string folder)
            {
                _folder = folder;
            }

            public static void Register(string folder)
            {
                var context = new IsolatedContext(folder);
                Default.Resolving += (_, name) => name.Name == "Duri.Ops.Engine" ? context.LoadFromAssemblyName(name) : null;
            }

            protected override Assembly? Load(AssemblyName assemblyName)
            {
                if (Array.IndexOf(OwnAssemblies, assemblyName.Name) < 0) return null;
                var path = Path.Combine(_folder, assemblyName.Name + ".dll");
                return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
            }
        }
    }
}
